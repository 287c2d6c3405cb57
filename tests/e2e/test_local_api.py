"""The API on the local stack, as operators and admins use it: sign in (Cognito on moto), force a sync with a
token and curl, and the OpenAPI document held against every answer by a schemathesis run (undeclared methods
and preflights included: none may answer 5xx). The local server: the security headers on every kind of answer,
and a burst of 500 parallel requests all answered."""
from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
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
from chalicelib.api.security_headers import API_CACHE_CONTROL, security_headers, sign_in_origin
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
        handle.first_sync()
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


def _cooldown_over(stack: LocalStack) -> None:
    """No run in flight, and the force-sync cooldown gone as if its window had passed (another test of this module
    may have forced a sync: the test sets the state it starts from)."""
    stack.wait_for("no run in flight", lambda: stack.status()["last_sync"]["status"] != "In Progress", 120)
    env = stack.info["env"]
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.info["aws_endpoint_url"], region_name=stack.info["region"],
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    dynamodb.delete_item(TableName=stack.info["tables"]["control"], Key={"pk": {"S": "cooldown#products"}})


def test_an_operator_forces_a_sync_with_a_token_and_curl(stack: LocalStack) -> None:
    _cooldown_over(stack)
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
            case = operation.Case(path_parameters={"run_id": "none", "product_id": 1, "report_id": "none",
                                                   "feed": "products"})
            assert case.call_and_validate(base_url=stack.base, checks=CHECKS).status_code == 401
    positive = {label: statuses for (label, mode), statuses in seen.items() if mode == "positive"}
    assert all(status < 500 for statuses in seen.values() for status in statuses), seen
    assert positive["GET /api/sync/status"] == positive["GET /api/settings"] == {200}
    # A dry run answers 200; a schema cannot say which options go together (ids with mode failed...): 400.
    assert positive["POST /api/sync"] <= {200, 202, 400, 409, 429}
    assert positive["POST /api/events/products"] == {401}  # schemathesis does not know the events secret
    assert {400} <= seen[("GET /api/sync/runs", "negative")]
    assert positive["GET /api/products"] <= {200, 400}  # a type or store view the catalog does not have: 400


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
PATH_PARAMETERS = {"run_id": "20261122T100000Z-abcdef", "product_id": 1, "report_id": "20261122T100000Z-abcdef",
                   "feed": "products"}


def test_undeclared_methods_and_preflights_of_every_route_are_never_a_5xx(stack: LocalStack) -> None:
    """Every documented path with every method it does not declare, and its preflight (the dashboard's origin and
    another), signed in and not: a 4xx or a 2xx, never a 5xx (schemathesis's not_a_server_error)."""
    admin = stack.token("admin")
    schema = openapi.from_dict(document())
    answered: dict[tuple[str, str], set[int]] = {}
    for operation in _operations(schema):
        declared = {method.upper() for method in document()["paths"][operation.path]}
        for method in (m for m in METHODS if m not in declared or m == "OPTIONS"):
            for headers in ({}, {"Authorization": f"Bearer {admin}"}, {"Origin": "https://evil.example",
                                                                      "Access-Control-Request-Method": "GET"}):
                case = operation.Case(method=method, path_parameters=PATH_PARAMETERS)
                response = case.call(base_url=stack.base, headers=headers)
                case.validate_response(response, checks=[not_a_server_error])
                answered.setdefault((method, operation.path), set()).add(response.status_code)
    assert all(status < 500 for statuses in answered.values() for status in statuses), answered
    assert answered[("OPTIONS", "/api/products/{product_id}")] == {204}  # a preflight of a path parameter
    assert answered[("OPTIONS", "/api/sync/runs/{run_id}")] == {204}


def _raw(stack: LocalStack, request: bytes) -> tuple[int, dict[str, str]]:
    """A request as bytes on a socket (what urllib would not send), and the answer's status and headers."""
    with socket.create_connection(("127.0.0.1", int(stack.base.rsplit(":", 1)[1])), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
    return int(head[0].split(" ")[1]), headers


def test_every_kind_of_answer_of_the_local_server_carries_the_security_headers(stack: LocalStack) -> None:
    expected = security_headers(sign_in_origin(stack.info["cognito"]["endpoint_url"]))
    admin = stack.token()
    port = stack.base.rsplit(":", 1)[1]
    answers = {
        "dashboard page": stack.get("/"), "dashboard script": stack.get("/js/main.js"),
        "dashboard config": stack.get("/config.json"), "no such file": stack.get("/nothing-here.js"),
        "POST to a file": stack.request("POST", "/index.html", body=b"x"),
        "API JSON": stack.get("/api/sync/status", admin), "API error": stack.get("/api/sync/status"),
        "API 404": stack.get("/api/sync/runs/none", admin), "no such API route": stack.get("/api/nothing"),
        "undeclared method": stack.request("PUT", "/api/sync", admin, b"{}"),
        "preflight": stack.request("OPTIONS", "/api/products/1"),
        "bad Content-Length": (*_raw(stack, f"POST /api/sync HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                            "Content-Length: many\r\n\r\n".encode()), b""),
        "too large": (*_raw(stack, f"POST /api/sync HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                   "Content-Length: 99999999999\r\n\r\n".encode()), b""),
        "malformed request line": (*_raw(stack, b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"), b""),
        "unknown method": (*_raw(stack, b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n"), b""),
    }
    statuses = {kind: code for kind, (code, _, _) in answers.items()}
    assert statuses == {
        "dashboard page": 200, "dashboard script": 200, "dashboard config": 200, "no such file": 404,
        "POST to a file": 405, "API JSON": 200, "API error": 401, "API 404": 404, "no such API route": 403,
        "undeclared method": 405, "preflight": 204, "bad Content-Length": 400, "too large": 413,
        "malformed request line": 400, "unknown method": 405}
    for kind, (_, headers, _) in answers.items():
        assert {name: headers.get(name) for name in expected} == expected, kind
    for kind in ("API JSON", "API error", "API 404", "no such API route", "undeclared method", "preflight"):
        assert answers[kind][1].get("Cache-Control") == API_CACHE_CONTROL, kind
    assert "connect-src 'self' http://127.0.0.1:" in expected["Content-Security-Policy"]  # the pool on moto


BURST = 500


async def _get(port: int, path: str, token: str) -> int | str:
    """One request on its own connection: its status, or what went wrong (a reset, a timeout)."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        answer = await reader.read()  # until the server closes
        writer.close()
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else f"no answer: {answer[:40]!r}"
    except OSError as error:
        return type(error).__name__


async def _burst(port: int, paths: list[str], token: str, bound: float) -> Counter:
    return Counter(await asyncio.wait_for(asyncio.gather(*(_get(port, path, token) for path in paths)), bound))


def test_a_burst_of_parallel_requests_is_answered_in_full(stack: LocalStack) -> None:
    """500 connections at once, half the status and half a products search, on loopback: each is answered (the
    listen queue holds what the server has not accepted yet, at most 8 requests are in the app at once). The bound
    is generous: how fast is BENCHMARKS.md's business."""
    token = stack.token()
    paths = ["/api/sync/status", "/api/products?q=ms-0&limit=20"] * (BURST // 2)
    # In a thread of its own: the browser tests' Playwright may keep an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as own_loop:
        outcomes = own_loop.submit(asyncio.run, _burst(int(stack.base.rsplit(":", 1)[1]), paths, token,
                                                       bound=300)).result()
    assert outcomes == {200: BURST}, outcomes
