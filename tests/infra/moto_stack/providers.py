"""CloudFormation resource providers for the types moto cannot create, each through moto's own service API.

A provider turns a resource's properties into the API calls CloudFormation would make (botocore's model of the
operation checks every property: one the provider does not map fails the stack, it is never dropped), and
answers Ref and Fn::GetAtt with what the service returned. They run inside the moto server and call it over
HTTP, as any client does.
"""
from __future__ import annotations

import json
import os
from functools import cache
from typing import Any, ClassVar

import boto3
from botocore.exceptions import ClientError
from botocore.model import Shape
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

# CloudFormation type -> its provider, filled by the modules that define them (see register()).
GAPS: dict[str, type[ApiResource]] = {}
# The types the deployment leaves to moto's own models, and the properties those models apply (read from moto
# 5.2.5's create_from_cloudformation_json). tests/infra/test_moto_coverage.py fails on a property not listed here:
# moto might drop it silently.
MOTO_APPLIES: dict[str, set[str]] = {
    "AWS::SQS::Queue": {"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "QueueName",
                        "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "SqsManagedSseEnabled", "Tags",
                        "VisibilityTimeout"},  # every property becomes a queue attribute
    "AWS::IAM::Role": {"AssumeRolePolicyDocument", "Description", "MaxSessionDuration", "Path",
                       "PermissionsBoundary", "Policies", "RoleName", "Tags"},
    "AWS::Lambda::EventSourceMapping": {"BatchSize", "Enabled", "EventSourceArn", "FunctionName",
                                        "MaximumBatchingWindowInSeconds", "ScalingConfig"},  # all passed on
    "AWS::Lambda::Permission": {"Action", "FunctionName", "Principal", "SourceAccount", "SourceArn"},
    "AWS::Events::Rule": {"Description", "EventBusName", "EventPattern", "Name", "RoleArn", "ScheduleExpression",
                          "State", "Tags", "Targets"},
    "AWS::SNS::Topic": {"DisplayName", "Subscription", "TopicName"},
    "AWS::ApiGateway::Deployment": {"Description", "RestApiId", "StageName"},
}


class UnmappedPropertyError(ValueError):
    """A property the provider does not turn into the service's API: the rehearsal cannot vouch for it."""


class UnsupportedUpdateError(NotImplementedError):
    """An update the provider does not make: failing is better than pretending it was applied."""


def register(provider: type[ApiResource]) -> type[ApiResource]:
    GAPS[provider.TYPE] = provider
    return provider


@cache
def client(service: str, region: str) -> Any:
    """A client of this very server (MOTO_PORT is set by moto's main before any request), one per service and
    region: making a client loads the service's model, which costs more than most calls."""
    return boto3.client(service, region_name=region, endpoint_url=f"http://127.0.0.1:{os.environ['MOTO_PORT']}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


NOT_FOUND = {"NoSuchBucket", "NotFound", "NotFoundException", "ResourceNotFoundException", "NoSuchDistribution",
             "NoSuchOriginAccessControl"}


def unless_gone(call: Any, **params: Any) -> None:
    """A delete that finds its resource already gone (with the resource it belonged to) has nothing left to do:
    CloudFormation deletes in dependency order, moto in any order."""
    try:
        call(**params)
    except ClientError as error:
        if error.response["Error"]["Code"] not in NOT_FOUND:
            raise


def api_params(service: str, operation: str, properties: dict[str, Any],
               renames: dict[str, str] | None = None) -> dict[str, Any]:
    """CloudFormation properties as the operation's parameters: renamed, typed, lists wrapped as the API wants."""
    shape = client(service, "us-east-1").meta.service_model.operation_model(operation).input_shape
    return _convert(shape, properties, renames or {}, f"{service}:{operation}")


def _convert(shape: Shape, value: Any, renames: dict[str, str], path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        if isinstance(value, list) and {"Quantity", "Items"} <= set(members):  # CloudFront's counted lists
            return {"Quantity": len(value), "Items": _convert(members["Items"], value, renames, path)}
        if not isinstance(value, dict):
            raise UnmappedPropertyError(f"{path}: expected an object, got {value!r}")
        converted = {}
        for key, item in value.items():
            name = renames.get(key, key)
            if name not in members:
                raise UnmappedPropertyError(f"{path}.{key} has no counterpart in the API")
            converted[name] = _convert(members[name], item, renames, f"{path}.{key}")
        return converted
    if kind == "list":
        return [_convert(shape.member, item, renames, path) for item in value]
    if kind == "map":
        return {key: _convert(shape.value, item, renames, path) for key, item in value.items()}
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "string" and isinstance(value, (dict, list)):  # policy documents
        return json.dumps(value)
    return str(value) if kind == "string" else value


class ApiResource:
    """One resource created by a provider: its physical id (Ref) and attributes (Fn::GetAtt).

    It has the interface of moto's CloudFormationModel without deriving from it: moto finds its own models through
    CloudFormationModel's subclasses, and a provider imported into a test process must not become one of them (the
    server's patched resource_class_from_type returns providers first)."""

    TYPE: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()
    # For a type moto creates: what its model lacks (the properties it leaves out, "update" when it cannot update).
    MOTO_LACKS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, physical_id: str, region: str, properties: dict[str, Any], **attributes: Any):
        self.physical_id = physical_id
        self.region = region
        self.properties = properties
        self.attributes = attributes

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""  # names come from the properties, or are generated by the provider

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> ApiResource:
        properties = dict(cloudformation_json.get("Properties") or {})
        return cls.create(properties, region_name, resource_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: ApiResource, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> ApiResource:
        properties = dict(cloudformation_json.get("Properties") or {})
        if properties == original_resource.properties:
            return original_resource
        return original_resource.update(properties)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        raise UnsupportedUpdateError(f"{cls.TYPE} {resource_name}: deleted through its instance only")

    def is_created(self) -> bool:
        return True

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        """Make the resource; ``name`` is the one CloudFormation generates (<stack>-<logical id>-<random>), for a
        resource whose properties name none."""
        raise NotImplementedError

    def update(self, properties: dict[str, Any]) -> ApiResource:
        changed = sorted(key for key in set(properties) | set(self.properties)
                         if properties.get(key) != self.properties.get(key))
        raise UnsupportedUpdateError(f"{self.TYPE} {self.physical_id}: the rehearsal's provider cannot update it "
                                     f"(changed: {changed})")

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError
