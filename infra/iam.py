"""Least-privilege IAM: per Lambda function, the actions it uses on the resources it uses, and nothing else.

Read from the code paths each handler runs (services -> store/queue/destination adapters -> AWS calls):

- PynamoDB builds its table metadata from the models (no DescribeTable); ``batch_write`` is BatchWriteItem,
  ``batch_get`` BatchGetItem, a ``TransactWrite`` needs the permission of each action inside it (UpdateItem,
  DeleteItem), and a Query on an index is allowed on that index's ARN only.
- SendMessageBatch is authorised by sqs:SendMessage. An SQS event source polls with the function's role:
  ReceiveMessage, DeleteMessage, GetQueueAttributes on that queue only.
- Secrets are read with GetSecretValue (Powertools Parameters); the secrets use the AWS-managed key, whose key
  policy already lets the account's principals decrypt through Secrets Manager, so no kms: action is needed.
- X-Ray accepts no resource ARN for its two write actions: they are the only ``"*"``.

A function with a new kind of trigger has no entry here and `make synth` stops: give it its own policy.
"""
from __future__ import annotations

from typing import Any

Statement = dict[str, Any]


def _arn(resource: str) -> dict:
    return {"Fn::GetAtt": [resource, "Arn"]}


def _table(resource: str, actions: list[str]) -> Statement:
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": [_arn(resource)]}


def _index(resource: str, index: str) -> Statement:
    """Query on one index only (the table itself is not queried)."""
    return {"Effect": "Allow", "Action": ["dynamodb:Query"],
            "Resource": [{"Fn::Sub": f"${{{resource}.Arn}}/index/{index}"}]}


def _send(queue: str) -> Statement:
    return {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [_arn(queue)]}


def _consume(queue: str) -> Statement:
    return {"Effect": "Allow", "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
            "Resource": [_arn(queue)]}


def _secret(secret: str) -> Statement:
    return {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [{"Ref": secret}]}


def _hub() -> list[Statement]:
    """The S3 hub destination: one object per batch, a manifest per run that lists the run's batches."""
    return [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [{"Fn::Sub": "${HubBucket.Arn}/feeds/*"}]},
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [_arn("HubBucket")],
             "Condition": {"StringLike": {"s3:prefix": ["feeds/*"]}}}]


def _logs(function_name: str) -> Statement:
    """Its own log group only (created by the template with a retention, so no logs:CreateLogGroup)."""
    return {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                                     f"/aws/lambda/{function_name}:*"}]}


XRAY: Statement = {"Effect": "Allow", "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                   "Resource": "*"}  # X-Ray has no resource-level permissions for these

# The stores' calls, by what a use case does with each table.
ROWS_REINDEX = ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:Scan",
                "dynamodb:UpdateItem"]  # states/get_rows, put_rows, all_states/iter_rows, record_invalid
# the products API: a search page's rows and their prices and stock rows, a product's rows (get_rows); a product's
# prices and stock in every scope (rows_of_id: a Query on the table's hash key, the SKU); a configurable's variants
# (its members' variants rows, get_rows); the Feeds page: the rows of the pending batches (get_rows)
ROWS_READ = ["dynamodb:BatchGetItem", "dynamodb:Query"]
ROWS_BY_ID = ["dynamodb:Query"]  # a resync by ids: each id's rows in every scope (states_of_ids, one Query an id)
# create, get, claim, progress, seal; batches: create (batch write), outcomes (batch get), retire (update)
RUNS_SYNC = ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:PutItem",
             "dynamodb:UpdateItem"]
# settle (a transaction of two updates: the batch, its run), note_error, last_error, get, finish
RUNS_EXPORT = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
RUNS_READ = ["dynamodb:BatchGetItem", "dynamodb:GetItem"]  # one run; the batches a page's rows name
# lock (put/delete), feed state (get/update), dirty entries (scan, conditional deletes), sync request (delete)
CONTROL_SYNC = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan",
                "dynamodb:UpdateItem"]
CONTROL_FINISH = ["dynamodb:DeleteItem", "dynamodb:UpdateItem"]  # record_success, release_lock
# status (get), force sync (lock put/get/delete, cooldown update/delete), change events (dirty batch write,
# sync request update/delete), the Feeds page (the dirty entries: scan)
CONTROL_API = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
               "dynamodb:Scan", "dynamodb:UpdateItem"]


# The products search index (search/dynamo_store.py): every writer of feed rows appends to its journal
# (search/journaled_feed.py); a sync also rebuilds or compacts it (search/upkeep.py: read the current snapshot,
# publish one to S3 and its description, delete the replaced one, trim the journal with batch deletes); the API
# keeps a live copy (snapshot + journal).
SEARCH_APPEND = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
SEARCH_PUBLISH = ["dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
SEARCH_READ = ["dynamodb:GetItem", "dynamodb:Query"]
SNAPSHOTS_PUBLISH = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]  # multipart uploads: s3:PutObject
SNAPSHOTS_READ = ["s3:GetObject"]


def _snapshots(actions: list[str]) -> Statement:
    """The search index's snapshots: objects under search-index/ in the hub bucket (search/s3_snapshots.py)."""
    return {"Effect": "Allow", "Action": actions, "Resource": [{"Fn::Sub": "${HubBucket.Arn}/search-index/*"}]}


def _sync() -> list[Statement]:
    """A sync: lock, run, reindex from the source, fan out to the export queue; it may finish the run."""
    return [_table("FeedRowsTable", ROWS_REINDEX),
            _table("SearchIndexTable", SEARCH_PUBLISH),
            _snapshots(SNAPSHOTS_PUBLISH),
            _table("SyncRunsTable", RUNS_SYNC),
            _index("SyncRunsTable", "batch-outbox"),  # batches whose rows are still to be sent
            # the search index's upkeep asks whether this is the feed's first run (services/search_index.py)
            _index("SyncRunsTable", "feed-started"),
            _table("ControlTable", CONTROL_SYNC),
            _send("ExportQueue"),
            _secret("MagentoCredentialsSecret"),
            *_hub()]  # the sealer may be the run's last writer: it then writes the hub manifest


# What each function does follows from what triggers it: the schedule and the trigger queue start syncs, the
# export queue and its DLQ carry batches, the API answers requests. Keyed so, a renamed handler keeps its policy.
ROLES = ("schedule", "trigger", "export", "dead_letter", "api")


def _needs(role: str) -> list[Statement]:
    if role == "schedule":  # the hourly sync, and the daily reconciliation after a feed's reconcile sync
        return [*_sync(), _secret("DestinationApiKeySecret")]  # reconciliation reads the HTTP destination back
    if role == "trigger":  # change events' debounced syncs, and forced runs the API opened
        return [*_sync(),
                # mode failed (a forced run only: the hourly sync is partial or a reconcile): batches with failed rows
                _index("SyncRunsTable", "batch-attention"),
                # mode ids (a forced run only: the dashboard's Resync selected): the stored rows of each id
                _table("FeedRowsTable", ROWS_BY_ID),
                _consume("TriggerQueue"),
                _secret("DestinationApiKeySecret")]  # an on-demand reconciliation reads the HTTP destination back
    if role == "export":  # writes no feed row: its batch's outcome only
        return [_table("SearchIndexTable", SEARCH_APPEND),
                _table("SyncRunsTable", RUNS_EXPORT),
                _table("ControlTable", CONTROL_FINISH),
                _consume("ExportQueue"),
                _secret("DestinationApiKeySecret"),
                *_hub()]
    if role == "dead_letter":
        return [_table("SearchIndexTable", SEARCH_APPEND),
                _table("SyncRunsTable", RUNS_EXPORT),
                _table("ControlTable", CONTROL_FINISH),
                _consume("ExportDeadLetterQueue"),
                *_hub()]
    if role == "api":
        # A product's detail compares the feed with the source's document (Magento) and the destination's
        # (HTTP destination: GET with the API key), so the API reads both credentials.
        # A dry run by ids reads as that run would: each id's rows, their batches, the outbox it would resend.
        return [_table("FeedRowsTable", ROWS_READ),
                _table("SearchIndexTable", SEARCH_READ),
                _snapshots(SNAPSHOTS_READ),
                # a forced run is opened (and abandoned) by the API; reconciliation reports are written (a request,
                # an action taken) and listed (a Query on the feed's partition)
                _table("SyncRunsTable", [*RUNS_READ, "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]),
                _index("SyncRunsTable", "feed-started"),
                # the Feeds page: the items not yet submitted, through the batches that hold them (outbox: a dry
                # run); the alerts: rows of batches failed for now
                _index("SyncRunsTable", "batch-outbox"),
                _index("SyncRunsTable", "batch-attention"),
                _table("ControlTable", CONTROL_API),
                _send("TriggerQueue"),
                _secret("EventsSecret"),
                _secret("MagentoCredentialsSecret"),
                _secret("DestinationApiKeySecret")]
    raise SystemExit(f"infra/iam.py has no policy for a function triggered by {role!r}: add one with the actions "
                     "it uses")


# --- Grants the deploy rehearsal does not see used, and why each stays -----------------------------------------
# tests/infra/test_deploy_rehearsal.py records every AWS call of each function while the packaged code syncs the
# sample catalog to the S3 hub (hourly syncs, change events, a forced run with a dead-lettered batch, the API). A
# grant that no call used must be listed here with its reason; a listed grant that becomes used must leave the list.
Grant = tuple[str, str]  # (action, the resource's logical id / "own log group" / "*")
RUNTIME: dict[Grant, str] = {  # every role: used by Lambda and the X-Ray daemon on the function's behalf
    ("logs:CreateLogStream", "own log group"): "Lambda writes the function's output to its log group",
    ("logs:PutLogEvents", "own log group"): "Lambda writes the function's output to its log group",
    ("xray:PutTelemetryRecords", "*"): "the X-Ray daemon sends the function's traces (Tracing: Active)",
    ("xray:PutTraceSegments", "*"): "the X-Ray daemon sends the function's traces (Tracing: Active)",
}
_EVENT_SOURCE = "Lambda's event source mapping reads the queue's attributes with the function's role"
_MAGENTO = "SOURCE=magento: the store's credentials (the rehearsal reads the sample catalog)"
_SEALER = "a run whose batches all exported before it was sealed is finished by the sealer, which writes its manifest"
_READ_BACK = "DESTINATION=http: reconciliation reads the ingestion service back (the hub cannot be reconciled)"
_SYNC: dict[Grant, str] = {
    ("dynamodb:UpdateItem", "FeedRowsTable"): "a malformed source record becomes a failed row (the sample has none)",
    ("s3:ListBucket", "HubBucket"): _SEALER,
    ("s3:PutObject", "HubBucket/feeds/*"): _SEALER,
    ("secretsmanager:GetSecretValue", "MagentoCredentialsSecret"): _MAGENTO,
}
# The search index's upkeep after a sync (search/upkeep.py) that the rehearsal's syncs do not reach: the journal
# stays under the 200 entries of a compaction (and the snapshot the hourly syncs would replace is the forced run's).
_COMPACTION: dict[Grant, str] = {
    ("dynamodb:BatchWriteItem", "SearchIndexTable"): "the search index's journal trimmed after a compaction, and a "
                                                     "write of more than 1,000 rows journaled in several entries",
    ("s3:GetObject", "HubBucket/search-index/*"): "the search index compacted: the current snapshot read, then "
                                                  "the journal's entries folded into a new one",
}
_SEARCH_UPKEEP: dict[Grant, str] = {
    **_COMPACTION,
    ("s3:DeleteObject", "HubBucket/search-index/*"): "a search snapshot replaced by an hourly sync (compaction, full "
                                                     "resync) is deleted",
}
NOT_REHEARSED: dict[str, dict[Grant, str]] = {
    "schedule": {**_SYNC, ("dynamodb:GetItem", "SyncRunsTable"): "a run left in progress past its deadline is read, "
                                                                   "then failed, by the next sync",
                 ("dynamodb:Scan", "FeedRowsTable"): "a full read (reconcile) compares with the feed's stored rows; "
                                                      "a feed's first run has none to read",
                 ("secretsmanager:GetSecretValue", "DestinationApiKeySecret"): _READ_BACK,
                 **_SEARCH_UPKEEP},
    "trigger": {**_SYNC, **_COMPACTION, ("sqs:GetQueueAttributes", "TriggerQueue"): _EVENT_SOURCE,
                ("secretsmanager:GetSecretValue", "DestinationApiKeySecret"): _READ_BACK,
                ("dynamodb:Query", "FeedRowsTable"): "a resync by ids (Resync selected) looks up each id's stored "
                                                     "rows, one Query an id"},
    "export": {("secretsmanager:GetSecretValue", "DestinationApiKeySecret"): "DESTINATION=http: the ingestion API's "
                                                                             "key (the rehearsal exports to the hub)",
               ("sqs:GetQueueAttributes", "ExportQueue"): _EVENT_SOURCE,
               ("dynamodb:BatchWriteItem", "SearchIndexTable"): "a settlement's journal entries travel in its "
                                                                 "transaction; only when that write fails are they "
                                                                 "journaled apart, in several entries for a batch "
                                                                 "of more than 1,000 rows"},
    "dead_letter": {("dynamodb:BatchWriteItem", "SearchIndexTable"): "a batch of more than 1,000 rows (BATCH_MAX_ROWS "
                                                                      "over 1,000) is journaled in several entries",
                    ("sqs:GetQueueAttributes", "ExportDeadLetterQueue"): _EVENT_SOURCE},
    "api": {("dynamodb:DeleteItem", "ControlTable"): "a force sync that cannot start gives its cooldown back and "
                                                     "releases the lock (so does a stale run found in flight)",
            ("dynamodb:UpdateItem", "SyncRunsTable"): "a forced run the trigger queue refuses is failed (so is a "
                                                      "stale run found in flight)",
            ("secretsmanager:GetSecretValue", "MagentoCredentialsSecret"): "SOURCE=magento: a product's detail reads "
                                                                           "the source's copy",
            ("secretsmanager:GetSecretValue", "DestinationApiKeySecret"): "DESTINATION=http: a product's detail reads "
                                                                          "the destination's copy"},
}


def policies(functions: dict[str, tuple[str, str]], tables: set[str]) -> dict[str, list[Statement]]:
    """Statements per Chalice function name. ``functions`` maps each to (deployed name, role: what triggers
    it, one of ROLES); ``tables`` are the logical ids of the tables the models define (a statement on any
    other table is left out)."""
    def deployed(statement: Statement) -> bool:
        resource = statement["Resource"]
        first = resource[0] if isinstance(resource, list) else resource
        table = first.get("Fn::GetAtt", [None])[0] if isinstance(first, dict) else None
        return table is None or not table.endswith("Table") or table in tables

    return {name: [_logs(function_name), XRAY, *filter(deployed, _needs(role))]
            for name, (function_name, role) in functions.items()}


def document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}
