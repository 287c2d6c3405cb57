"""Sign-in: the user pool, its groups, app clients, domain and resource server, made with moto's cognito-idp API."""
from __future__ import annotations

from typing import Any

from .providers import ApiResource, api_params, client, register, unless_gone

IDP = "cognito-idp"


@register
class UserPool(ApiResource):
    TYPE = "AWS::Cognito::UserPool"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = dict(properties)
        mfas = wanted.pop("EnabledMfas", [])  # CreateUserPool has no such parameter: SetUserPoolMfaConfig
        params = api_params(IDP, "CreateUserPool", wanted, {"UserPoolName": "PoolName"})
        pool = client(IDP, region).create_user_pool(**params)["UserPool"]
        if mfas:
            unknown = set(mfas) - {"SOFTWARE_TOKEN_MFA"}
            if unknown:
                raise ValueError(f"EnabledMfas {sorted(unknown)}: not mapped by the rehearsal's provider")
            client(IDP, region).set_user_pool_mfa_config(
                UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration=wanted.get("MfaConfiguration", "OPTIONAL"))
        provider = f"cognito-idp.{region}.amazonaws.com/{pool['Id']}"
        return cls(pool["Id"], region, properties, Arn=pool["Arn"], ProviderName=provider,
                   ProviderURL=f"https://{provider}", UserPoolId=pool["Id"])

    def update(self, properties: dict[str, Any]) -> ApiResource:
        changeable = {key: value for key, value in properties.items()
                      if key not in ("UserPoolName", "UsernameAttributes", "EnabledMfas")}
        client(IDP, self.region).update_user_pool(
            UserPoolId=self.physical_id, **api_params(IDP, "UpdateUserPool", changeable))
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        client(IDP, self.region).delete_user_pool(UserPoolId=self.physical_id)


@register
class UserPoolGroup(ApiResource):
    TYPE = "AWS::Cognito::UserPoolGroup"

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        group = client(IDP, region).create_group(**api_params(IDP, "CreateGroup", properties))["Group"]
        return cls(group["GroupName"], region, properties)

    def update(self, properties: dict[str, Any]) -> ApiResource:
        if properties["GroupName"] != self.physical_id or properties["UserPoolId"] != self.properties["UserPoolId"]:
            return super().update(properties)  # a replacement
        client(IDP, self.region).update_group(**api_params(IDP, "UpdateGroup", properties))
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        unless_gone(client(IDP, self.region).delete_group, GroupName=self.physical_id,
                    UserPoolId=self.properties["UserPoolId"])


@register
class UserPoolClient(ApiResource):
    TYPE = "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = ("ClientId", "ClientSecret", "Name")

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        created = client(IDP, region).create_user_pool_client(
            **api_params(IDP, "CreateUserPoolClient", properties))["UserPoolClient"]
        return cls(created["ClientId"], region, properties, ClientId=created["ClientId"],
                   ClientSecret=created.get("ClientSecret", ""), Name=created["ClientName"])

    def update(self, properties: dict[str, Any]) -> ApiResource:
        if properties.get("GenerateSecret") != self.properties.get("GenerateSecret"):
            return super().update(properties)  # a replacement
        changeable = {key: value for key, value in properties.items() if key != "GenerateSecret"}
        client(IDP, self.region).update_user_pool_client(
            ClientId=self.physical_id, **api_params(IDP, "UpdateUserPoolClient", changeable))
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        unless_gone(client(IDP, self.region).delete_user_pool_client, UserPoolId=self.properties["UserPoolId"],
                    ClientId=self.physical_id)


@register
class UserPoolDomain(ApiResource):
    TYPE = "AWS::Cognito::UserPoolDomain"
    ATTRIBUTES = ("CloudFrontDistribution",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        created = client(IDP, region).create_user_pool_domain(**api_params(IDP, "CreateUserPoolDomain", properties))
        return cls(properties["Domain"], region, properties,
                   CloudFrontDistribution=created.get("CloudFrontDomain", ""))

    def delete(self, account_id: str, region_name: str) -> None:
        unless_gone(client(IDP, self.region).delete_user_pool_domain, Domain=self.physical_id,
                    UserPoolId=self.properties["UserPoolId"])


@register
class UserPoolResourceServer(ApiResource):
    TYPE = "AWS::Cognito::UserPoolResourceServer"

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        client(IDP, region).create_resource_server(**api_params(IDP, "CreateResourceServer", properties))
        return cls(properties["Identifier"], region, properties)

    def delete(self, account_id: str, region_name: str) -> None:
        # moto 5.2 has no DeleteResourceServer: removed from its backend, where the API would remove it.
        from moto.cognitoidp.models import cognitoidp_backends

        pool = cognitoidp_backends[account_id][region_name].user_pools.get(self.properties["UserPoolId"])
        if pool is not None:
            pool.resource_servers.pop(self.physical_id, None)
