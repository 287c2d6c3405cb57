"""The API on the local stack, as operators and admins use it: sign in (Cognito on moto), force a sync with a
token and curl, and the OpenAPI document held against every answer by a schemathesis run."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, openapi
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.openapi import document
from tests.stack_process import REPO, LocalStack, running_stack

PRODUCTS = 60
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = 8  # per operation and mode: enough to reach every answer, modest for CI


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    # The sample catalog (quick), the simulated ingestion service as the destination; one sync at start.
    with running_stack(tmp_path_factory.mktemp("local-stack-api"), SOURCE="sample", SAMPLE_PRODUCTS=str(PRODUCTS),
                       SYNC_INTERVAL="3600") as handle:
        handle.wait_for("the first sync", lambda: (run := handle.status()["last_sync"]) and run["status"] == "Success",
                        60)
        yield handle


def _cli_token(user: str) -> str:
    """`catalog-sync --local token --user ...`, as the README shows it."""
    done = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--local", "token", "--user", user], cwd=REPO,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _curl(stack: LocalStack, token: str, *args: str) -> tuple[int, dict[str, str], Any]:
    """curl when the machine has it (the README's lines), else the same request with urllib."""
    if shutil.which("curl") is None:
        code, headers, body = stack.request("POST", "/api/sync", token, b"" if not args else args[-1].encode())
        return code, {k.lower(): v for k, v in headers.items()}, json.loads(body)
    done = subprocess.run(["curl", "-s", "-i", "-X", "POST", "-H", f"Authorization: Bearer {token}",
                           *(["-d", args[-1]] if args else []), f"{stack.base}/api/sync"],
                          capture_output=True, text=True, timeout=30)
    head, _, body = done.stdout.replace("\r\n", "\n").partition("\n\n")
    status_line, *header_lines = head.splitlines()
    headers = dict(line.lower().split(": ", 1) for line in header_lines if ": " in line)
    return int(status_line.split()[1]), headers, json.loads(body)


def test_an_operator_forces_a_sync_with_a_token_and_curl(stack: LocalStack) -> None:
    token = _cli_token("operator")
    code, _, accepted = _curl(stack, token)
    assert code == 202, accepted
    assert (accepted["trigger"], accepted["mode"]) == ("force", "full")
    code, _, refused = _curl(stack, token, '{"mode": "no-reindex"}')
    assert (code, refused["run_id"]) == (409, accepted["run_id"])  # the forced run is in flight

    def forced_run_done() -> dict[str, Any] | None:
        run = stack.status()["last_sync"]
        assert run["run_id"] == accepted["run_id"] and run["status"] != "Failed", run
        return run if run["status"] == "Success" else None
    run = stack.wait_for("the forced run", forced_run_done, 60)
    assert run["rows_exported"] > PRODUCTS and run["rows_failed"] == 0  # a full resync re-sends every row
    code, headers, cooling = _curl(stack, token)
    assert code == 429 and cooling["available_at"] == accepted["cooldown_until"]
    assert 0 < int(headers["retry-after"]) <= 900
    assert stack.get("/api/settings", token)[0] == 403  # an operator's token opens the operators' routes only


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_answer_of_the_running_api_matches_its_openapi_document(stack: LocalStack) -> None:
    admin = stack.token("admin")
    code, _, served = stack.get("/api/openapi.json", admin)
    assert code == 200 and json.loads(served) == document()
    schema = openapi.from_dict(json.loads(served))
    seen: dict[tuple[str, str], set[int]] = {}

    for operation in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def exchange(case: Any) -> None:
                headers = {"Authorization": f"Bearer {admin}"} if operation.path != "/api/events/products" else {}  # noqa: B023  (run at once, in this iteration)
                response = case.call_and_validate(base_url=stack.base, headers=headers, checks=CHECKS)
                seen.setdefault((operation.label, mode.value), set()).add(response.status_code)  # noqa: B023

            try:
                exchange()
            except Unsatisfiable:  # nothing to get wrong: an operation without parameters or body (health)
                assert mode is GenerationMode.NEGATIVE
        # Without a token, every signed-in route says 401 (and that answer is documented too).
        if operation.path not in ("/api/health", "/api/events/products"):
            case = operation.Case(path_parameters={"run_id": "none", "product_id": 1})
            assert case.call_and_validate(base_url=stack.base, checks=CHECKS).status_code == 401
    positive = {label: statuses for (label, mode), statuses in seen.items() if mode == "positive"}
    assert positive["GET /api/sync/status"] == positive["GET /api/settings"] == {200}
    # A dry run answers 200; a schema cannot say which options go together (ids with mode failed...): 400.
    assert positive["POST /api/sync"] <= {200, 202, 400, 409, 429}
    assert positive["POST /api/events/products"] == {401}  # schemathesis does not know the events secret
    assert {400} <= seen[("GET /api/sync/runs", "negative")]
    assert positive["GET /api/products"] <= {200, 400}  # a type or store view the catalog does not have: 400
