"""The edge: the REST API from its OpenAPI body and its stage, CloudFront, its origin access control and its
response-headers policy."""
from __future__ import annotations

import uuid
from typing import Any, ClassVar

from .providers import ApiResource, api_params, client, register, unless_gone


@register
class RestApi(ApiResource):
    """moto's own model needs a Name and drops the Body; CloudFormation names the API after the body's title and
    imports the body. moto imports only OpenAPI 3 and Chalice's body is Swagger 2.0: its paths and methods are made
    here with CreateResource, PutMethod and PutIntegration, as API Gateway's import makes them."""

    TYPE = "AWS::ApiGateway::RestApi"
    MOTO_LACKS = ("Body", "Parameters")  # and moto's model fails without a Name
    ATTRIBUTES = ("RestApiId", "RootResourceId")

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = dict(properties)
        body = wanted.pop("Body", {})
        imported = wanted.pop("Parameters", {})  # the body's import parameters: only its endpoint type here
        if set(imported) - {"endpointConfigurationTypes"}:
            raise ValueError(f"RestApi Parameters {sorted(imported)}: not mapped by the rehearsal's provider")
        if body.get("x-amazon-apigateway-binary-media-types"):
            wanted["BinaryMediaTypes"] = body["x-amazon-apigateway-binary-media-types"]
        wanted.setdefault("Name", body.get("info", {}).get("title") or name)
        if "description" in body.get("info", {}):
            wanted.setdefault("Description", body["info"]["description"])
        api = client("apigateway", region).create_rest_api(**api_params(
            "apigateway", "CreateRestApi", wanted, {"Name": "name", "Description": "description",
                                                    "EndpointConfiguration": "endpointConfiguration",
                                                    "Types": "types", "BinaryMediaTypes": "binaryMediaTypes"}))
        _import_paths(client("apigateway", region), api["id"], api["rootResourceId"], body.get("paths", {}))
        return cls(api["id"], region, properties, RestApiId=api["id"], RootResourceId=api["rootResourceId"])

    def delete(self, account_id: str, region_name: str) -> None:
        client("apigateway", self.region).delete_rest_api(restApiId=self.physical_id)


def _import_paths(gateway: Any, api_id: str, root_id: str, paths: dict[str, Any]) -> None:
    resources = {"": root_id}
    for path in sorted(paths):
        parent = ""
        for part in path.strip("/").split("/"):
            here = f"{parent}/{part}"
            if here not in resources:
                resources[here] = gateway.create_resource(restApiId=api_id, parentId=resources[parent],
                                                          pathPart=part)["id"]
            parent = here
        for method, operation in paths[path].items():
            integration = operation["x-amazon-apigateway-integration"]
            gateway.put_method(restApiId=api_id, resourceId=resources[parent], httpMethod=method.upper(),
                               authorizationType="NONE")
            gateway.put_integration(restApiId=api_id, resourceId=resources[parent], httpMethod=method.upper(),
                                    type=integration["type"].upper(), integrationHttpMethod=integration["httpMethod"],
                                    uri=integration["uri"])


@register
class Stage(ApiResource):
    TYPE = "AWS::ApiGateway::Stage"

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = dict(properties)
        settings = wanted.pop("MethodSettings", [])
        gateway = client("apigateway", region)
        gateway.create_stage(**api_params("apigateway", "CreateStage", wanted, {
            "RestApiId": "restApiId", "StageName": "stageName", "DeploymentId": "deploymentId",
            "Description": "description", "TracingEnabled": "tracingEnabled", "Variables": "variables"}))
        operations = []
        for setting in settings:  # UpdateStage's patch operations, as CloudFormation applies MethodSettings
            scope = f"/{setting.pop('ResourcePath').lstrip('/').replace('/', '~1') or '~1'}/{setting.pop('HttpMethod')}"
            names = {"ThrottlingBurstLimit": "throttling/burstLimit", "ThrottlingRateLimit": "throttling/rateLimit",
                     "MetricsEnabled": "metrics/enabled", "LoggingLevel": "logging/loglevel"}
            for key, value in setting.items():
                if key not in names:
                    raise ValueError(f"MethodSettings.{key}: not mapped by the rehearsal's provider")
                operations.append({"op": "replace", "path": f"{scope}/{names[key]}", "value": str(value)})
        if operations:
            gateway.update_stage(restApiId=properties["RestApiId"], stageName=properties["StageName"],
                                 patchOperations=operations)
        return cls(properties["StageName"], region, properties)

    def delete(self, account_id: str, region_name: str) -> None:
        unless_gone(client("apigateway", self.region).delete_stage, restApiId=self.properties["RestApiId"],
                    stageName=self.physical_id)


@register
class OriginAccessControl(ApiResource):
    TYPE = "AWS::CloudFront::OriginAccessControl"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        created = client("cloudfront", region).create_origin_access_control(
            **api_params("cloudfront", "CreateOriginAccessControl", properties))["OriginAccessControl"]
        return cls(created["Id"], region, properties, Id=created["Id"])

    def delete(self, account_id: str, region_name: str) -> None:
        client("cloudfront", self.region).delete_origin_access_control(Id=self.physical_id)


@register
class ResponseHeadersPolicy(ApiResource):
    """moto has no CloudFront response-headers policies at all (no model, no API): the provider checks the policy
    against botocore's model of CreateResponseHeadersPolicy (a property it cannot map fails the stack) and gives it
    an id. Its values are checked in tests/infra/test_template.py against chalicelib/api/security_headers.py."""

    TYPE = "AWS::CloudFront::ResponseHeadersPolicy"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        api_params("cloudfront", "CreateResponseHeadersPolicy", properties)
        policy_id = str(uuid.uuid4())
        return cls(policy_id, region, properties, Id=policy_id)

    def update(self, properties: dict[str, Any]) -> ApiResource:
        api_params("cloudfront", "CreateResponseHeadersPolicy", properties)  # the same config
        return type(self)(self.physical_id, self.region, properties, Id=self.physical_id)

    def delete(self, account_id: str, region_name: str) -> None:
        """Nothing was made in moto."""


@register
class Distribution(ApiResource):
    TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = ("DomainName", "Id")
    RENAMES: ClassVar[dict[str, str]] = {"IPV6Enabled": "IsIPV6Enabled", "OriginSSLProtocols": "OriginSslProtocols"}

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        config = dict(properties["DistributionConfig"])
        for origin in config.get("Origins", []):
            custom = origin.get("CustomOriginConfig")
            if custom is not None:  # CloudFormation's defaults; the API requires both
                origin["CustomOriginConfig"] = {"HTTPPort": 80, "HTTPSPort": 443, **custom}
        config.setdefault("Comment", "")
        config["CallerReference"] = str(uuid.uuid4())
        params = api_params("cloudfront", "CreateDistribution", {"DistributionConfig": config}, cls.RENAMES)
        created = client("cloudfront", region).create_distribution(**params)["Distribution"]
        return cls(created["Id"], region, properties, DomainName=created["DomainName"], Id=created["Id"])

    def delete(self, account_id: str, region_name: str) -> None:
        cloudfront = client("cloudfront", self.region)
        etag = cloudfront.get_distribution(Id=self.physical_id)["ETag"]
        cloudfront.delete_distribution(Id=self.physical_id, IfMatch=etag)
