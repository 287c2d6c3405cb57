"""`python -m tests.infra.moto_stack -H 127.0.0.1 -p PORT`: moto's server as the deploy rehearsal uses it."""
from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from local_stack import moto_patched

from . import cognito, completed, edge, operations  # noqa: F401  (each registers its providers)
from .providers import GAPS


class UnsupportedResourceError(ValueError):
    """A resource type neither moto nor a provider here can create: the stack fails instead of skipping it."""


def _providers_first() -> None:
    from moto.cloudformation import parsing

    native = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type in GAPS:
            return GAPS[resource_type]
        found = native(resource_type)
        if found is None and resource_type not in parsing.NULL_MODELS:
            raise UnsupportedResourceError(f"moto cannot create {resource_type} and tests/infra/moto_stack has no "
                                           "provider for it: add one, and list the type in infra/README.md")
        return found

    def resource_name_property_from_type(resource_type: str) -> str | None:
        return None if resource_type in GAPS else name_property(resource_type)

    name_property = parsing.resource_name_property_from_type
    parsing.resource_class_from_type = resource_class_from_type
    parsing.resource_name_property_from_type = resource_name_property_from_type


def _event_sources_left_to_the_rehearsal() -> None:
    """The mapping is recorded (list/get show it) but moto does not invoke the function on each message."""
    from moto.awslambda.models import LambdaBackend
    from moto.sqs.models import sqs_backends

    create = LambdaBackend.create_event_source_mapping

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        mapping = create(self, spec)
        for queue in sqs_backends[self.account_id][self.region_name].queues.values():
            queue.lambda_event_source_mappings.pop(mapping.function_arn, None)
        return mapping

    LambdaBackend.create_event_source_mapping = create_event_source_mapping  # type: ignore[method-assign]


def _template_urls_on_loopback() -> None:
    from moto.cloudformation import responses

    read = responses.get_stack_from_s3_url

    def get_stack_from_s3_url(template_url: str, *args: Any, **kwargs: Any) -> str:
        parts = urlsplit(template_url)
        if parts.hostname == "127.0.0.1":  # moto reads path-style URLs only when the host is "localhost"
            parts = parts._replace(netloc=parts.netloc.replace("127.0.0.1", "localhost"))
        return read(urlunsplit(parts), *args, **kwargs)

    responses.get_stack_from_s3_url = get_stack_from_s3_url


def _change_sets_update_the_stack() -> None:
    """moto's change sets update the resources only: the stack keeps the template, parameters and outputs it had
    before (none, for a stack a change set created), so `aws cloudformation deploy` would read no outputs."""
    from moto.cloudformation.models import ChangeSet

    apply = ChangeSet.apply

    def apply_to_the_stack(self: Any) -> None:
        apply(self)
        stack = self.stack
        stack.template, stack.parameters = self.template, self.parameters
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()

    ChangeSet.apply = apply_to_the_stack  # type: ignore[method-assign]


def _bucket_policies_evaluated_as_aws_does() -> None:
    """moto applies a bucket policy's statement whatever its condition (it knows StringEquals only, and an unmet
    condition denies): the deployment's DenyInsecureTransport would refuse every request. Here a statement applies
    only when its condition holds, for a request over HTTPS (as every AWS SDK request is)."""
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    from tests.infra import iam_policy

    results = {"allow": PermissionResult.PERMITTED, "deny": PermissionResult.DENIED,
               "none": PermissionResult.NEUTRAL}

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        request = iam_policy.Request(action, resource, {"aws:SecureTransport": "true"})
        return results[iam_policy.decide(self.policy.decode(), request)]

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    moto_patched.patch_transactions()
    moto_patched.serialize_requests()
    _providers_first()
    _event_sources_left_to_the_rehearsal()
    _template_urls_on_loopback()
    _change_sets_update_the_stack()
    _bucket_policies_evaluated_as_aws_does()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
