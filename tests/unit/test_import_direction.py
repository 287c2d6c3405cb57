"""Imports point down: the domain imports no AWS SDK, PynamoDB or Chalice and no outer room; the services no adapter,
search engine or API; nothing in the Lambda package imports the local stack, the tests or the benchmarks."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SDKS = ("boto3", "botocore", "pynamodb", "chalice", "urllib3", "aws_lambda_powertools")
OUTSIDE_THE_PACKAGE = ("local_stack", "tests", "bench", "infra")


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved against its package)."""
    package = path.relative_to(REPO).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _modules(room: str) -> list[Path]:
    return sorted((REPO / room).rglob("*.py"))


def _offending(room: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in _modules(room):
        bad = sorted(name for name in _imports(path) if name.split(".")[0] in forbidden
                     or any(name == f or name.startswith(f + ".") for f in forbidden))
        if bad:
            found[str(path.relative_to(REPO))] = bad
    return found


def test_the_domain_imports_no_sdk_and_no_outer_room():
    assert _offending("chalicelib/domain", (*SDKS, "chalicelib.adapters", "chalicelib.services", "chalicelib.api",
                                            "chalicelib.search", "chalicelib.container")) == {}


def test_the_services_import_no_adapter_search_engine_or_api():
    assert _offending("chalicelib/services", (*SDKS, "chalicelib.adapters", "chalicelib.api", "chalicelib.search",
                                              "chalicelib.container")) == {}


@pytest.mark.parametrize("room", ["chalicelib"])
def test_the_lambda_package_imports_nothing_outside_it(room):
    found = _offending(room, OUTSIDE_THE_PACKAGE)
    # The CLI loads the local stack for --local only, inside the function that runs it.
    assert set(found) <= {"chalicelib/cli.py"}, found
