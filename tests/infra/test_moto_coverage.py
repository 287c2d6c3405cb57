"""What of the deployment moto's CloudFormation creates itself, what the rehearsal's providers create instead
(tests/infra/moto_stack), and that infra/README.md lists exactly those, with how each is checked."""
from __future__ import annotations

import re
from typing import Any

import pytest
from moto.cloudformation.parsing import get_model_map

from tests.infra.moto_stack import cognito, completed, edge, operations  # noqa: F401  (they register providers)
from tests.infra.moto_stack.providers import GAPS, MOTO_APPLIES
from tests.infra.synthesized import INFRA, synthesize, template

STAGES = ("dev", "prod")


@pytest.fixture(scope="module")
def resources() -> list[tuple[str, str, set[str]]]:
    """(where, type, property names) of every resource the deployment creates, the artifacts stack's included."""
    synthesize()
    found = [(f"{stage}:{name}", resource["Type"], set(resource.get("Properties", {})))
             for stage in STAGES for name, resource in template(stage)["Resources"].items()]
    bootstrap = (INFRA / "bootstrap.yaml").read_text()
    found += [(f"bootstrap:{name}", kind, set()) for name, kind in
              re.findall(r"^  (\w+):\n    Type: (AWS::\S+)", bootstrap, re.MULTILINE)]
    return found


def test_every_resource_type_is_created_by_moto_or_by_a_listed_provider(resources: list[Any]) -> None:
    native = set(get_model_map())
    types = {kind for _, kind, _ in resources}
    assert sorted(types - native - set(GAPS)) == [], "moto cannot create these: add a provider (tests/infra/moto_stack)"
    assert sorted(set(GAPS) - types) == [], "a provider for a type the deployment no longer uses: remove it"
    stale = [kind for kind, provider in GAPS.items() if kind in native and not provider.MOTO_LACKS]
    assert stale == [], "moto creates these itself now: remove their providers and the README's rows"


def test_moto_applies_every_property_the_deployment_gives_the_types_left_to_it(resources: list[Any]) -> None:
    left_to_moto = [(where, kind, properties) for where, kind, properties in resources if kind not in GAPS]
    unchecked = {(where, kind, tuple(sorted(properties - MOTO_APPLIES.get(kind, set()))))
                 for where, kind, properties in left_to_moto if properties - MOTO_APPLIES.get(kind, set())}
    assert sorted(unchecked) == [], ("moto's model may drop these properties: read its create_from_cloudformation_json "
                                     "and list them in MOTO_APPLIES, or give the type a provider")


def test_the_infra_readme_lists_each_type_moto_cannot_create_and_what_its_model_lacks() -> None:
    readme = (INFRA / "README.md").read_text()
    section = readme.split("## On moto", 1)[1].split("\n## ", 1)[0]
    rows = {match.group(1): match.group(0)
            for match in re.finditer(r"^\| `(AWS::[\w:]+)` \|.*$", section, re.MULTILINE)}
    assert set(rows) == set(GAPS)
    for kind, provider in GAPS.items():
        for dropped in provider.MOTO_LACKS:
            assert dropped in rows[kind], f"infra/README.md: say that moto's {kind} drops {dropped}"
