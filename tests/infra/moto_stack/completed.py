"""Types moto creates, but not as CloudFormation does, made here through the service API instead.

moto 5.2's models drop: on AWS::DynamoDB::Table, PointInTimeRecoverySpecification and TimeToLiveSpecification;
on AWS::S3::Bucket, everything but BucketEncryption and Tags; on AWS::Lambda::Function, Architectures,
TracingConfig and Tags. The APIs themselves (CreateTable + UpdateContinuousBackups + UpdateTimeToLive, CreateBucket
+ PutBucket*, CreateFunction) take them all. moto's AWS::Logs::LogGroup has no update: a stack update that touches
one (moto takes a parameter left at its default for a changed one) loses it from the stack.
"""
from __future__ import annotations

from typing import Any

from botocore import xform_name

from .providers import ApiResource, UnmappedPropertyError, api_params, client, register

LIFECYCLE_RULE = {"Id", "Status", "Prefix", "ExpirationInDays", "ExpiredObjectDeleteMarker",
                  "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"}


@register
class Table(ApiResource):
    TYPE = "AWS::DynamoDB::Table"
    MOTO_LACKS = ("PointInTimeRecoverySpecification", "TimeToLiveSpecification")
    ATTRIBUTES = ("Arn", "StreamArn")

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = dict(properties)
        recovery = wanted.pop("PointInTimeRecoverySpecification", None)
        expiry = wanted.pop("TimeToLiveSpecification", None)
        wanted.setdefault("TableName", name)
        dynamodb = client("dynamodb", region)
        table = dynamodb.create_table(**api_params("dynamodb", "CreateTable", wanted, {"SSEEnabled": "Enabled"}))[
            "TableDescription"]
        if recovery is not None:
            dynamodb.update_continuous_backups(TableName=table["TableName"], **api_params(
                "dynamodb", "UpdateContinuousBackups", {"PointInTimeRecoverySpecification": recovery}))
        if expiry is not None:
            dynamodb.update_time_to_live(TableName=table["TableName"], **api_params(
                "dynamodb", "UpdateTimeToLive", {"TimeToLiveSpecification": expiry}))
        return cls(table["TableName"], region, properties, Arn=table["TableArn"],
                   StreamArn=table.get("LatestStreamArn", ""))

    def delete(self, account_id: str, region_name: str) -> None:
        client("dynamodb", self.region).delete_table(TableName=self.physical_id)


def _lifecycle(configuration: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rules in PutBucketLifecycleConfiguration's shape."""
    rules = []
    for rule in configuration["Rules"]:
        unknown = set(rule) - LIFECYCLE_RULE
        if unknown:
            raise UnmappedPropertyError(f"LifecycleConfiguration.Rules {sorted(unknown)}: not mapped")
        converted: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule["Status"],
                                     "Filter": {"Prefix": rule.get("Prefix", "")}}
        if "ExpirationInDays" in rule:
            converted["Expiration"] = {"Days": rule["ExpirationInDays"]}
        if "ExpiredObjectDeleteMarker" in rule:  # CloudFormation allows it only without ExpirationInDays
            converted["Expiration"] = {"ExpiredObjectDeleteMarker": rule["ExpiredObjectDeleteMarker"]}
        for key in ("NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"):
            if key in rule:
                converted[key] = rule[key]
        rules.append(converted)
    return {"Rules": rules}


@register
class Bucket(ApiResource):
    TYPE = "AWS::S3::Bucket"
    MOTO_LACKS = ("PublicAccessBlockConfiguration", "OwnershipControls", "VersioningConfiguration",
                  "LifecycleConfiguration")
    ATTRIBUTES = ("Arn", "DomainName", "RegionalDomainName")

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = dict(properties)
        bucket = wanted.pop("BucketName", name.lower())
        s3 = client("s3", region)
        s3.create_bucket(Bucket=bucket)
        calls = {"BucketEncryption": ("PutBucketEncryption", lambda value: {
                     "ServerSideEncryptionConfiguration": {"Rules": value["ServerSideEncryptionConfiguration"]}}),
                 "PublicAccessBlockConfiguration": ("PutPublicAccessBlock", lambda value: {
                     "PublicAccessBlockConfiguration": value}),
                 "OwnershipControls": ("PutBucketOwnershipControls", lambda value: {"OwnershipControls": value}),
                 "VersioningConfiguration": ("PutBucketVersioning", lambda value: {"VersioningConfiguration": value}),
                 "LifecycleConfiguration": ("PutBucketLifecycleConfiguration", lambda value: {
                     "LifecycleConfiguration": _lifecycle(value)})}
        for key, value in wanted.items():
            if key not in calls:
                raise UnmappedPropertyError(f"AWS::S3::Bucket {key}: not mapped by the rehearsal's provider")
            operation, shape = calls[key]
            params = api_params("s3", operation, shape(value),
                                {"ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault"})
            getattr(s3, xform_name(operation))(Bucket=bucket, **params)
        return cls(bucket, region, properties, Arn=f"arn:aws:s3:::{bucket}", DomainName=f"{bucket}.s3.amazonaws.com",
                   RegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com")

    def delete(self, account_id: str, region_name: str) -> None:
        client("s3", self.region).delete_bucket(Bucket=self.physical_id)  # fails when not empty, as in AWS


@register
class Function(ApiResource):
    TYPE = "AWS::Lambda::Function"
    MOTO_LACKS = ("Architectures", "TracingConfig", "Tags")
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = {**properties, "FunctionName": properties.get("FunctionName", name)}
        if "Tags" in wanted:  # a list in CloudFormation, a map in the API
            wanted["Tags"] = {tag["Key"]: tag["Value"] for tag in wanted["Tags"]}
        created = client("lambda", region).create_function(**api_params("lambda", "CreateFunction", wanted))
        return cls(created["FunctionName"], region, properties, Arn=created["FunctionArn"])

    def update(self, properties: dict[str, Any]) -> ApiResource:
        if properties.get("FunctionName", self.physical_id) != self.physical_id:
            return super().update(properties)
        functions = client("lambda", self.region)
        if properties["Code"] != self.properties["Code"]:
            functions.update_function_code(FunctionName=self.physical_id, **properties["Code"])
        changeable = {key: value for key, value in properties.items()
                      if key not in ("Code", "FunctionName", "Tags", "Architectures")}
        functions.update_function_configuration(FunctionName=self.physical_id, **api_params(
            "lambda", "UpdateFunctionConfiguration", changeable))
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        client("lambda", self.region).delete_function(FunctionName=self.physical_id)


@register
class LogGroup(ApiResource):
    TYPE = "AWS::Logs::LogGroup"
    ATTRIBUTES = ("Arn",)
    MOTO_LACKS = ("update",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        unknown = set(properties) - {"LogGroupName", "RetentionInDays", "Tags"}
        if unknown:
            raise UnmappedPropertyError(f"AWS::Logs::LogGroup {sorted(unknown)}: not mapped by the provider")
        group = properties.get("LogGroupName", name)
        logs = client("logs", region)
        logs.create_log_group(logGroupName=group, tags={tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])})
        created = cls(group, region, properties, Arn=f"arn:aws:logs:{region}:123456789012:log-group:{group}:*")
        created._retention(properties)
        return created

    def _retention(self, properties: dict[str, Any]) -> None:
        logs = client("logs", self.region)
        if "RetentionInDays" in properties:
            logs.put_retention_policy(logGroupName=self.physical_id, retentionInDays=int(properties["RetentionInDays"]))
        else:
            logs.delete_retention_policy(logGroupName=self.physical_id)

    def update(self, properties: dict[str, Any]) -> ApiResource:
        if properties.get("LogGroupName", self.physical_id) != self.physical_id or properties.get("Tags") != \
                self.properties.get("Tags"):
            return super().update(properties)
        self._retention(properties)
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        client("logs", self.region).delete_log_group(logGroupName=self.physical_id)
