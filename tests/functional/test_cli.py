"""The catalog-sync command line, with the services on in-memory fakes and an exporter thread."""
import contextlib
import io
import threading

import pytest

from chalicelib import cli, container
from chalicelib.domain.errors import DestinationError
from chalicelib.services.export import export_batch
from chalicelib.services.sync import start_sync
from tests.fakes import VIEWS, product


@pytest.fixture
def ctx(fake_ctx, monkeypatch):
    fake_ctx.source.records = [product(i, view.code) for i in range(30) for view in VIEWS]
    monkeypatch.setattr(container, "context", lambda: fake_ctx)
    return fake_ctx


@pytest.fixture
def exporter(ctx):
    """Plays the exporter Lambda: exports whatever the CLI's run puts on the queue."""
    stop = threading.Event()

    def work():
        while not stop.is_set():
            for body in ctx.queue.drain():
                with contextlib.suppress(DestinationError):
                    export_batch(ctx, body)
            stop.wait(0.05)
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


def run_cli(*argv):
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def test_resync_reindexes_exports_and_summarises(ctx, exporter):
    code, output = run_cli("resync", "--feed", "products")
    assert code == 0
    run = ctx.runs.latest("products")
    assert f"run {run.run_id}: Success" in output
    assert "mode full, trigger cli" in output
    assert "rows changed 60, exported 60, failed 0" in output
    assert "/6 batches" in output  # the progress bar: batches done / total


def test_no_reindex_resubmits_without_reading_the_source(ctx, exporter):
    run_cli("resync", "--feed", "products")
    reads = len(ctx.source.reads)
    code, output = run_cli("resync", "--feed", "products", "--no-reindex")
    assert code == 0 and len(ctx.source.reads) == reads
    assert "mode no-reindex" in output and "exported 60" in output


def test_a_failed_run_exits_1_with_its_errors(ctx, exporter):
    ctx.destination.fail = DestinationError("S3 hub upload failed: NoSuchBucket", retryable=False)
    code, output = run_cli("resync", "--feed", "products")
    assert code == 1
    assert ": Failed" in output and "every batch failed: 60 × S3 hub upload failed" in output


def test_an_unknown_feed_exits_2_naming_the_valid_feeds(ctx, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["resync", "--feed", "stocks"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'stocks'" in error and "choose from" in error and "products" in error


def test_the_feed_is_required(ctx, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["resync"])
    assert exit_.value.code == 2 and "--feed" in capsys.readouterr().err


def test_a_run_in_flight_refuses_a_resync(ctx, capsys):
    held = start_sync(ctx, mode="full")
    code, _ = run_cli("resync", "--feed", "products")
    assert code == 1
    assert f"another run is in progress: run {held.run_id}" in capsys.readouterr().err


def test_a_run_nobody_exports_times_out_with_exit_1(ctx):
    code, output = run_cli("resync", "--feed", "products", "--timeout", "0.2")
    assert code == 1 and "still in progress" in output


def test_status_prints_the_last_run_and_the_products_synced(ctx, exporter):
    assert run_cli("status")[1].startswith("products:\n  last sync: none yet")
    run_cli("resync", "--feed", "products")
    code, output = run_cli("status")
    assert code == 0
    assert "last sync: Success" in output
    assert "synced: 30 products (60 rows)" in output
    assert "export: enabled (memory)" in output


def test_local_without_a_running_stack_says_how_to_start_it(ctx, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--local", "status"]) == 1
    assert "start it with `make run`" in capsys.readouterr().err


def test_sample_touch_refuses_when_the_source_is_the_simulated_magento(monkeypatch, tmp_path, capsys):
    stack = tmp_path / ".local" / "stack.json"
    stack.parent.mkdir()
    stack.write_text('{"magento_simulated": true, "magento_url": "http://127.0.0.1:9999", "env": {}}')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE", "magento")
    code, output = run_cli("sample-touch")
    error = capsys.readouterr().err
    assert code == cli.EXIT_USAGE and output == ""
    assert "the source is the simulated Magento store at http://127.0.0.1:9999" in error
    assert "http://127.0.0.1:9999/__sim/products/<sku>/name" in error


def test_sample_touch_changes_the_sample_catalog(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE", "sample")
    monkeypatch.setenv("SAMPLE_EDITS_FILE", str(tmp_path / "edits.json"))
    code, output = run_cli("sample-touch", "--percent", "10")
    assert code == 0 and output.startswith("changed ")


def test_users_shows_the_local_stacks_users_and_passwords(monkeypatch, tmp_path, capsys):
    stack = tmp_path / ".local" / "stack.json"
    stack.parent.mkdir()
    stack.write_text('{"env": {}, "cognito": {"users": {"admin": {"username": "admin", "password": "pw-1!", '
                     '"group": "admins"}}}}')
    monkeypatch.chdir(tmp_path)
    code, output = run_cli("--local", "users")
    assert code == 0 and output == "admin: user name admin, password pw-1! (group admins)\n"
    code, output = run_cli("users")
    assert code == cli.EXIT_USAGE and "use --local" in capsys.readouterr().err
