"""Fifty force syncs at once, over HTTP, on DynamoDB on a moto server: the conditional write admits one."""
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import boto3
import pytest
from chalice.config import Config
from chalice.local import LocalChalice, LocalGateway

from app import app
from chalicelib import container
from chalicelib.settings import load
from local_stack.motoserver import HOST, MotoServer
from local_stack.server import make_server

REQUESTS = 50


@pytest.fixture
def moto_server(tmp_path):
    """moto as the local stack runs it: a server in its own process, DynamoDB requests one at a time."""
    server = MotoServer(tmp_path / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture
def api_url(moto_server, user_pool, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    monkeypatch.setenv("SAMPLE_EDITS_FILE", str(tmp_path / "edits.json"))
    container.reset()  # the models' connections are made anew, to this moto server
    container.tables_of(load()).create()
    sqs = boto3.client("sqs")
    monkeypatch.setenv("TRIGGER_QUEUE_URL", sqs.create_queue(QueueName="catalog-sync-trigger")["QueueUrl"])
    monkeypatch.setenv("EXPORT_QUEUE_URL", sqs.create_queue(QueueName="catalog-sync-export")["QueueUrl"])
    container.reset()
    container.context()  # built once, before the threads need it
    original = type(app)
    app.__class__ = type("ThreadedLocalChalice", (LocalChalice, original), {})  # a current request per thread
    config = Config(chalice_stage="local", function_name="api_handler",
                    config_from_disk=json.loads(Path(".chalice/config.json").read_text()))
    server = make_server(HOST, 0, LocalGateway(app, config), Path("dashboard"), {})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/api", sqs
    finally:
        server.shutdown()
        server.server_close()
        app.__class__ = original
        container.reset()
        container.reset()  # drop the connections to this moto server


def test_of_fifty_concurrent_force_syncs_exactly_one_starts_a_run(api_url, user_pool):
    url, sqs = api_url
    tokens = [user_pool.operator() for _ in range(REQUESTS)]
    start = threading.Barrier(REQUESTS)
    answers: list[tuple[int, dict]] = []

    def force(headers):
        request = urllib.request.Request(f"{url}/sync", data=b"", method="POST", headers=headers)
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append((response.status, json.loads(response.read())))
        except urllib.error.HTTPError as error:
            answers.append((error.code, json.loads(error.read())))

    threads = [threading.Thread(target=force, args=(headers,)) for headers in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    statuses = Counter(status for status, _ in answers)
    assert len(answers) == REQUESTS and statuses[202] == 1, statuses
    assert set(statuses) <= {202, 409, 429}, statuses  # refused: the cooldown, or the winner's run in flight
    [accepted] = [body for status, body in answers if status == 202]
    # One run was opened, and one message sent to start it.
    assert [run.run_id for run in container.context().runs.list_runs("products", 10)[0]] == [accepted["run_id"]]
    messages = sqs.receive_message(QueueUrl=container.context().settings.trigger_queue_url,
                                   MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["run_id"] for m in messages] == [accepted["run_id"]]
