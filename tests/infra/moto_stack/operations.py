"""Secrets, alarms, the alarm topic's policy and subscription, and bucket policies, made with moto's APIs."""
from __future__ import annotations

import json
from typing import Any

from .providers import ApiResource, api_params, client, register, unless_gone


@register
class Secret(ApiResource):
    TYPE = "AWS::SecretsManager::Secret"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        wanted = dict(properties)
        generate = wanted.pop("GenerateSecretString", None)
        secrets = client("secretsmanager", region)
        if generate is not None:  # GetRandomPassword under the template's GenerateStringKey, as CloudFormation does
            template = json.loads(generate.pop("SecretStringTemplate", "{}"))
            key = generate.pop("GenerateStringKey")
            password = secrets.get_random_password(**api_params("secretsmanager", "GetRandomPassword", generate))
            wanted["SecretString"] = json.dumps({**template, key: password["RandomPassword"]})
        wanted.setdefault("Name", name)
        created = secrets.create_secret(**api_params("secretsmanager", "CreateSecret", wanted))
        return cls(created["ARN"], region, properties, Id=created["ARN"])

    def update(self, properties: dict[str, Any]) -> ApiResource:
        changed = {key for key in set(properties) | set(self.properties)
                   if properties.get(key) != self.properties.get(key)}
        if changed - {"Description"}:
            return super().update(properties)
        client("secretsmanager", self.region).update_secret(SecretId=self.physical_id,
                                                            Description=properties.get("Description", ""))
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        client("secretsmanager", self.region).delete_secret(SecretId=self.physical_id, ForceDeleteWithoutRecovery=True)


@register
class Alarm(ApiResource):
    TYPE = "AWS::CloudWatch::Alarm"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        name = properties.get("AlarmName") or name
        cls._put(name, properties, region)
        arn = client("cloudwatch", region).describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
        return cls(name, region, properties, Arn=arn)

    @staticmethod
    def _put(name: str, properties: dict[str, Any], region: str) -> None:
        params = api_params("cloudwatch", "PutMetricAlarm", {**properties, "AlarmName": name})
        client("cloudwatch", region).put_metric_alarm(**params)

    def update(self, properties: dict[str, Any]) -> ApiResource:
        if properties.get("AlarmName", self.physical_id) != self.physical_id:
            return super().update(properties)
        self._put(self.physical_id, properties, self.region)  # PutMetricAlarm replaces an alarm of that name
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        client("cloudwatch", self.region).delete_alarms(AlarmNames=[self.physical_id])


@register
class Subscription(ApiResource):
    TYPE = "AWS::SNS::Subscription"

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        params = api_params("sns", "Subscribe", properties)
        arn = client("sns", region).subscribe(**params, ReturnSubscriptionArn=True)["SubscriptionArn"]
        return cls(arn, region, properties)

    def update(self, properties: dict[str, Any]) -> ApiResource:  # a new endpoint is a new subscription
        self.delete("", self.region)
        return self.create(properties, self.region, "")

    def delete(self, account_id: str, region_name: str) -> None:
        unless_gone(client("sns", self.region).unsubscribe, SubscriptionArn=self.physical_id)


@register
class TopicPolicy(ApiResource):
    TYPE = "AWS::SNS::TopicPolicy"

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        cls._apply(properties, region)
        return cls(name, region, properties)

    @staticmethod
    def _apply(properties: dict[str, Any], region: str) -> None:
        unknown = set(properties) - {"Topics", "PolicyDocument"}
        if unknown:
            raise ValueError(f"AWS::SNS::TopicPolicy properties {sorted(unknown)}: not mapped")
        for topic in properties["Topics"]:
            client("sns", region).set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                                                       AttributeValue=json.dumps(properties["PolicyDocument"]))

    def update(self, properties: dict[str, Any]) -> ApiResource:
        self._apply(properties, self.region)
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        return None  # the topic keeps its last policy until it is deleted with the stack, as in CloudFormation


@register
class BucketPolicy(ApiResource):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, properties: dict[str, Any], region: str, name: str) -> ApiResource:
        params = api_params("s3", "PutBucketPolicy", properties, {"PolicyDocument": "Policy"})
        client("s3", region).put_bucket_policy(**params)
        return cls(properties["Bucket"], region, properties)

    def update(self, properties: dict[str, Any]) -> ApiResource:
        if properties["Bucket"] != self.physical_id:
            return super().update(properties)
        client("s3", self.region).put_bucket_policy(
            **api_params("s3", "PutBucketPolicy", properties, {"PolicyDocument": "Policy"}))
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        unless_gone(client("s3", self.region).delete_bucket_policy, Bucket=self.physical_id)
