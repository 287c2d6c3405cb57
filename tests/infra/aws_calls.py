"""Which IAM actions, on which resource ARNs, an AWS call recorded by lambda_bootstrap.py needs.

From the services' authorization references: a batch or transaction needs the action of each request inside it
on each table it names, SQS's batch calls are authorised by their single-message actions, S3's ListObjectsV2 is
s3:ListBucket on the bucket with the prefix as ``s3:prefix``. A call not described here fails the rehearsal until
it is: the check never guesses.
"""
from __future__ import annotations

from typing import Any

from tests.infra.iam_policy import Request

DYNAMODB_ITEM_KINDS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                       "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
SQS_BATCHES = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
               "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}
SQS_SINGLE = {"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
              "GetQueueUrl"}
S3_OBJECT = {"PutObject": "PutObject", "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject",
             "CompleteMultipartUpload": "PutObject", "AbortMultipartUpload": "AbortMultipartUpload",
             "GetObject": "GetObject", "HeadObject": "GetObject", "DeleteObject": "DeleteObject"}
DYNAMODB_SINGLE = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "DescribeTable",
                   "DescribeTimeToLive"}


class UnmappedCallError(AssertionError):
    """A recorded call whose IAM action this module does not know."""


def _table(region: str, account: str, name: str, index: str = "") -> str:
    arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


def _dynamodb(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    if operation in DYNAMODB_SINGLE:
        return [Request(f"dynamodb:{operation}", _table(region, account, params["TableName"],
                                                        params.get("IndexName", "")))]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Request(f"dynamodb:{operation}", _table(region, account, table)) for table in params["RequestItems"]]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [Request(f"dynamodb:{DYNAMODB_ITEM_KINDS[kind]}", _table(region, account, table))
                for kind, table in params["TransactItems"]]
    raise UnmappedCallError(f"dynamodb:{operation}")


def _sqs(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    action = SQS_BATCHES.get(operation, operation if operation in SQS_SINGLE else None)
    if action is None:
        raise UnmappedCallError(f"sqs:{operation}")
    queue = params["QueueUrl"].rstrip("/").rsplit("/", 1)[-1]
    return [Request(f"sqs:{action}", f"arn:aws:sqs:{region}:{account}:{queue}")]


def _s3(operation: str, params: dict[str, Any]) -> list[Request]:
    bucket = f"arn:aws:s3:::{params['Bucket']}"
    if operation in S3_OBJECT:
        return [Request(f"s3:{S3_OBJECT[operation]}", f"{bucket}/{params['Key']}")]
    if operation in ("ListObjectsV2", "ListObjects", "HeadBucket"):
        context = {"s3:prefix": params["Prefix"]} if "Prefix" in params else {}
        return [Request("s3:ListBucket", bucket, context)]
    raise UnmappedCallError(f"s3:{operation}")


def iam_requests(call: dict[str, Any], region: str, account: str) -> list[Request]:
    """The IAM requests (action, resource, condition keys) one recorded call makes."""
    service, operation, params = call["service"], call["operation"], call["params"]
    if service == "dynamodb":
        return _dynamodb(operation, params, region, account)
    if service == "sqs":
        return _sqs(operation, params, region, account)
    if service == "s3":
        return _s3(operation, params)
    if service == "secretsmanager" and operation in ("GetSecretValue", "DescribeSecret"):
        secret = params["SecretId"]
        if not secret.startswith("arn:"):
            secret = f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}-??????"
        return [Request(f"secretsmanager:{operation}", secret)]
    if service == "ssm" and operation in ("GetParameter", "GetParameters"):
        return [Request(f"ssm:{operation}", f"arn:aws:ssm:{region}:{account}:parameter/{params['Name'].lstrip('/')}")]
    raise UnmappedCallError(f"{service}:{operation}: say which IAM action it needs in tests/infra/aws_calls.py")
