"""The deploy rehearsal, without an AWS account: `make deploy` against moto, a sync through the packaged code as
Lambda runs it, the API through API Gateway's events, an update, `make destroy`. What it sees is kept in a
Record for the tests (tests/infra/test_deploy_rehearsal.py) to judge.

The rehearsal's stage settings (REHEARSAL_SETTINGS) are the only variables it puts over what the stack gave each
function, besides AWS_ENDPOINT_URL (moto instead of AWS) and what Lambda itself sets.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.infra.deployed_stack import MotoServer, Stack, run_deploy
from tests.infra.lambda_service import LambdaService, code_sha256, unpack
from tests.infra.permissions import deployed_policy

STAGE = "dev"
ADMIN, OPERATOR, ALARM_EMAIL = "admin@example.com", "operator@example.com", "ops@example.com"
PASSWORD = "Rehearsal-Passw0rd!"
REHEARSAL_SETTINGS = {
    "DESTINATION": "s3-hub",  # export to the stack's hub bucket (the dev stage deploys DESTINATION=none)
    "SAMPLE_PRODUCTS": "100",  # 100 products x up to 3 store views: a full sync in seconds
    "BATCH_MAX_ROWS": "50",  # several batches per run, so one can be dead-lettered while the others export
    "EVENT_DEBOUNCE_SECONDS": "1",  # change events' sync request comes within a second, not 30
    "COOLDOWN_SECONDS": "1",  # a second force sync (mode failed) need not wait 15 minutes after the first
}
UPDATE = {"ExporterMaxConcurrency": "4", "ExporterErrorThreshold": "3", "LogRetentionDays": "90"}
UPDATED_ALARM_EMAIL = "ops-oncall@example.com"


@dataclass
class Record:
    deploy_output: str = ""
    created: Stack | None = None
    package: bytes = b""
    code_sha256: dict[str, str] = field(default_factory=dict)  # function logical id -> CodeSha256
    import_failures: list[dict[str, Any]] = field(default_factory=list)
    sys_path: list[str] = field(default_factory=list)
    responses: dict[str, tuple[int, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)  # the API's run history at the end, newest first
    dead_letter_message: str = ""  # the export message made to time out 3 times
    dead_lettered: int = 0  # invocations of the dead-letter queue's function
    hub_keys: list[str] = field(default_factory=list)
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # function logical id -> its AWS calls
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # function logical id -> deployed policy
    roles: dict[str, str] = field(default_factory=dict)  # function logical id -> role ARN
    logs: dict[str, str] = field(default_factory=dict)  # function logical id -> what it printed
    described: dict[str, Any] = field(default_factory=dict)  # resources read back through the services' APIs
    updated: Stack | None = None
    updated_described: dict[str, Any] = field(default_factory=dict)
    after_destroy: dict[str, Any] = field(default_factory=dict)
    trace_segments: int = 0  # datagrams the functions' X-Ray SDK sent to the daemon's address
    seconds: dict[str, float] = field(default_factory=dict)


def _python312() -> str:
    """The interpreter the app's .venv was made from: the Lambda runtime's Python, without the venv."""
    python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info[:2] != (3, 12) or not python.exists():
        raise AssertionError(f"the rehearsal needs the python3.12 of the Lambda runtime; .venv runs {sys.version}")
    return str(python)


def _sign_in(moto: MotoServer, stack: Stack, user: str) -> str:
    """The user's access token, as the dashboard gets it (a password set by an administrator)."""
    idp = moto.client("cognito-idp")
    idp.admin_set_user_password(UserPoolId=stack.outputs["UserPoolId"], Username=user, Password=PASSWORD,
                                Permanent=True)
    return idp.initiate_auth(ClientId=stack.outputs["DashboardClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})["AuthenticationResult"][
        "AccessToken"]


def _add_operator(moto: MotoServer, stack: Stack) -> None:
    idp, pool = moto.client("cognito-idp"), stack.outputs["UserPoolId"]
    idp.admin_create_user(UserPoolId=pool, Username=OPERATOR, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": OPERATOR}])
    idp.admin_add_user_to_group(UserPoolId=pool, Username=OPERATOR, GroupName="operators")


def _dead_letter_one_batch(service: LambdaService) -> str:
    """An export message whose exporter never completes (a timeout, as Lambda sees it): received 3 times and each
    time visible again at once (not after the queue's 30-minute visibility timeout); the next receive moves it to
    the dead-letter queue (the redrive policy's maxReceiveCount), as SQS does."""
    [mapping] = [m for m in service.mappings() if service.queue_of(m) == "ExportQueue"]
    sqs, url = service.moto.client("sqs"), service._queue_url(mapping)
    received = [sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=0,
                                    WaitTimeSeconds=1)["Messages"][0]["MessageId"] for _ in range(3)]
    if len(set(received)) != 1:
        raise AssertionError(f"the export queue handed out different messages: {received}")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=0)
    return received[0]


def _merchant_edits(edits_file: Path) -> tuple[list[str], list[str]]:
    """A merchant changes a few products and deletes one (the sample catalog's edits file, as `catalog-sync
    sample-touch` writes it)."""
    from chalicelib.adapters.sample_catalog import SampleCatalogSource
    from chalicelib.domain.runs import iso, utcnow

    catalog = SampleCatalogSource(int(REHEARSAL_SETTINGS["SAMPLE_PRODUCTS"]), 42, str(edits_file))
    changed = catalog.touch(0.05, iso(utcnow()), rng_seed=7)
    deleted = [sku for sku in ("MS-000010", "MS-000011") if sku not in changed][:1]
    catalog.delete(deleted, iso(utcnow()))
    return changed, deleted


def _exercise(service: LambdaService, moto: MotoServer, stack: Stack, record: Record, edits_file: Path) -> None:
    request = service.request
    # The feed's first run (a full one), one of whose batches never gets through: the dead-letter queue's function
    # fails its rows for now and, its batch being the run's last, finishes the run.
    record.responses["first scheduled sync"] = (0, service.tick())
    record.dead_letter_message = _dead_letter_one_batch(service)
    service.drain(queues={"ExportQueue"})
    record.dead_lettered = len(service.drain(queues={"ExportDeadLetterQueue"}))
    service.drain()
    admin = _sign_in(moto, stack, ADMIN)
    _add_operator(moto, stack)
    operator = _sign_in(moto, stack, OPERATOR)
    record.responses["health"] = request("GET", "/api/health")[::2]
    record.responses["status without a token"] = request("GET", "/api/sync/status")[::2]
    record.responses["status"] = request("GET", "/api/sync/status", admin)[::2]
    record.responses["openapi"] = request("GET", "/api/openapi.json", operator)[::2]
    record.responses["settings"] = request("GET", "/api/settings", admin)[::2]
    record.responses["products as operator"] = request("GET", "/api/products?q=ms-0000", operator)[::2]
    record.responses["products"] = request("GET", "/api/products?q=ms-0000&limit=5", admin)[::2]
    product = record.responses["products"][1]["items"][0]["product_id"]
    record.responses["product"] = request("GET", f"/api/products/{product}", admin)[::2]
    [first] = record.responses["first scheduled sync"][1][0]["run_ids"]
    record.responses["dead-lettered run"] = request("GET", f"/api/sync/runs/{first}", admin)[::2]
    # The Feeds page (the dead batch's rows wait in the outbox) and who is signed in (the dashboard's navigation).
    record.responses["feeds"] = request("GET", "/api/feeds", operator)[::2]
    record.responses["me"] = request("GET", "/api/me", operator)[::2]
    configurables = request("GET", "/api/products?type=configurable&limit=1", admin)[2]["items"]
    record.responses["configurable"] = request("GET", f"/api/products/{configurables[0]['product_id']}", admin)[::2]
    record.responses["second scheduled sync"] = (0, service.tick())  # resends the dead batch's rows (the outbox)
    service.drain()
    # change events for the merchant's edits, signed with the generated key an operator reads from Secrets Manager
    changed, deleted = _merchant_edits(edits_file)
    secret = json.loads(moto.client("secretsmanager").get_secret_value(
        SecretId=stack.outputs["EventsSecretArn"])["SecretString"])["EVENTS_SECRET"]
    body = json.dumps({"feed": "products", "skus": changed, "deleted_skus": deleted}).encode()
    signed_at = int(time.time())  # as README's "Change events" tells a sender: t=<unix>,v1=HMAC of "<t>.<body>"
    signature = f"t={signed_at},v1=" + hmac.new(secret.encode(), f"{signed_at}.".encode() + body,
                                                hashlib.sha256).hexdigest()
    record.responses["change events"] = request("POST", "/api/events/products", body=body,
                                                headers={"X-Catalog-Sync-Signature": signature})[::2]
    service.drain()
    record.responses["force sync"] = request("POST", "/api/sync", operator, body={"mode": "full"})[::2]
    service.drain()
    record.responses["third scheduled sync"] = (0, service.tick())  # nothing to send: it finishes its own run
    service.drain()
    record.responses["force sync of failed rows"] = request("POST", "/api/sync", admin, body={"mode": "failed"})[::2]
    service.drain()
    runs = request("GET", "/api/sync/runs?limit=10", admin)[::2]
    record.responses["runs"] = runs
    record.runs = runs[1]["items"]
    record.responses["status at the end"] = request("GET", "/api/sync/status", admin)[::2]
    record.responses["alerts"] = request("GET", "/api/alerts", operator)[::2]
    record.responses["reconciliation"] = request("GET", "/api/reconciliation", admin)[::2]
    record.responses["reconcile the hub"] = request("POST", "/api/reconcile", admin)[::2]
    hub = moto.client("s3").list_objects_v2(Bucket=stack.outputs["HubBucketName"])
    record.hub_keys = [item["Key"] for item in hub.get("Contents", [])]


def rehearse(work: Path, template: dict[str, Any], describe: Any) -> Record:
    """The whole rehearsal; ``describe(moto, stack)`` reads the stack's resources back (tests/infra/stack_reader)."""
    record, started = Record(), time.monotonic()

    def lap(name: str) -> None:
        record.seconds[name] = round(time.monotonic() - started - sum(record.seconds.values()), 1)

    moto = MotoServer(work / "moto.log").start()
    xray_daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # where Lambda's X-Ray daemon would listen
    xray_daemon.bind(("127.0.0.1", 0))
    xray_daemon.setblocking(False)
    service: LambdaService | None = None
    try:
        lap("moto started")
        record.deploy_output = run_deploy(moto, "deploy", "--stage", STAGE, "--admin-email", ADMIN,
                                          "--alarm-email", ALARM_EMAIL)
        record.created = stack = Stack.read(moto, f"catalog-sync-{STAGE}")
        record.described = describe(moto, stack)
        lap("deployed and read back")
        record.package = unpack(moto, stack, work / "task")
        settings = {**REHEARSAL_SETTINGS,
                    # the pool's signing keys, from moto (the default URL is Cognito's, on the internet)
                    "COGNITO_JWKS_URL": f"{moto.url}/{stack.outputs['UserPoolId']}/.well-known/jwks.json",
                    # the sample catalog's edits: the merchant's changes between syncs
                    "SAMPLE_EDITS_FILE": str(work / "sample-edits.json")}
        service = LambdaService(moto, stack, template, _python312(), work / "task", work / "logs", settings,
                                xray_port=xray_daemon.getsockname()[1])
        service.start()
        record.code_sha256 = {name: config["CodeSha256"] for name, config in service.configurations.items()}
        record.roles = {name: config["Role"] for name, config in service.configurations.items()}
        api = service.functions[service.api_function()]
        record.import_failures = api.import_all("chalicelib")
        record.sys_path = api.sys_path
        lap("functions started")
        _exercise(service, moto, stack, record, work / "sample-edits.json")
        lap("sync and API")
        record.trace_segments = _count_datagrams(xray_daemon)
        record.calls = {name: function.calls for name, function in service.functions.items()}
        record.policies = {name: deployed_policy(moto.client("iam"), role) for name, role in record.roles.items()}
        record.described["code sha256 of the package"] = code_sha256(record.package)
        parameters = " ".join(f"{key}={value}" for key, value in UPDATE.items())
        run_deploy(moto, "deploy", "--stage", STAGE, "--alarm-email", UPDATED_ALARM_EMAIL, "--parameters", parameters)
        record.updated = Stack.read(moto, f"catalog-sync-{STAGE}")
        record.updated_described = describe(moto, record.updated)
        lap("updated")
        run_deploy(moto, "destroy", "--stage", STAGE)
        record.after_destroy = describe(moto, None, before=stack)
        lap("destroyed")
    except Exception:
        tails = "\n".join(f"--- {name}\n{function.log_tail(30)}" for name, function in
                          (service.functions.items() if service else []))
        print(f"moto's log:\n{moto.log_tail()}\n{tails}", file=sys.stderr)
        raise
    finally:
        if service is not None:
            service.stop()
            record.logs = {name: function.log.read_text(errors="replace") if function.log.exists() else ""
                           for name, function in service.functions.items()}
        moto.stop()
        xray_daemon.close()
    return record


def _count_datagrams(sock: socket.socket) -> int:
    received = 0
    while True:
        try:
            sock.recv(65536)
        except BlockingIOError:
            return received
        received += 1


