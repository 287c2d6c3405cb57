"""`catalog-sync resync` and saas:resync's options (by ids, dry run, continue, batch size, thread count, force,
cleanup) plus ours, with the services on in-memory fakes and an exporter thread."""
import copy
import io
import json

import pytest

from chalicelib import cli, cli_progress
from chalicelib.domain.batching import decode
from chalicelib.domain.feed import RowKey
from chalicelib.observability import logger
from tests.fakes import VIEWS, product
from tests.functional.test_cli import ctx, exporter, run_cli  # noqa: F401 - fixtures


class Interrupting(list):
    """Source records whose read is stopped by Ctrl-C after ``after`` records."""

    def __init__(self, records, after):
        super().__init__(records)
        self.after = after

    def __iter__(self):
        for n, record in enumerate(super().__iter__()):
            if n == self.after:
                raise KeyboardInterrupt
            yield record


def sent_keys(context, since=0):
    return [row.key for row in context.destination.rows[since:]]


def stores(context):
    """What a dry run must leave as it was: every store of the fakes."""
    c = context
    return copy.deepcopy((c.rows("products").rows, c.runs.runs, c.batches.batches, c.batches.retired,
                          c.control.locks.locks, c.control.feed_states.states, c.control.cooldowns.cooldowns,
                          c.control.dirty.dirty_entries, c.queue.messages, len(c.destination.batches)))


def test_help_reads_like_saas_resync_plus_our_extras():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        cli._parser()[0].parse_args(["resync", "--help"])
    parser = cli._parser()[1]["resync"]
    parser.print_help(out)
    text = out.getvalue()
    adobe, ours = text.split("saas:resync's options:")[1].split("catalog-sync's extras:")
    for flag in ("--feed", "--no-reindex", "--cleanup-feed", "--dry-run", "--thread-count", "--batch-size",
                 "--continue-resync", "--by-ids", "--id-type", "--force"):
        assert flag in adobe
    for flag in ("--failed-only", "--output", "--yes", "--timeout", "--verbose", "--log-file"):
        assert flag in ours
    assert "examples:" in text and "exit codes:" in text


def test_by_ids_resends_those_items_unchanged_and_reports_the_unknown_ones(ctx, exporter):  # noqa: F811
    assert run_cli("resync", "--feed", "products")[0] == 0
    sent, watermark = len(ctx.destination.rows), ctx.control.feed_states.get("products").watermark
    code, output = run_cli("resync", "--feed", "products", "--by-ids", "SKU-0001, SKU-0002,NOPE-1,SKU-0001")
    assert code == 0, output
    assert "mode ids, 3 ids" in output and "unknown ids: NOPE-1" in output
    assert sorted(sent_keys(ctx, sent)) == sorted(RowKey(f"SKU-000{i}", v.code) for i in (1, 2) for v in VIEWS)
    run = ctx.runs.latest("products")
    assert (run.rows_unchanged, run.rows_exported, run.unknown_ids) == (4, 4, ("NOPE-1",))
    # Not a read of the feed: the watermark stays where the full resync left it.
    assert ctx.control.feed_states.get("products").watermark == watermark


def test_by_ids_in_a_feed_of_its_own_identity(ctx, exporter, capsys):  # noqa: F811
    category = {"category_id": 3, "name": "Women", "level": 2, "path": "1/2/3", "parent_id": 2, "children": [],
                "is_active": True}
    ctx.source.feed_records["categories"] = [{**category, "category_id": n, "path": f"1/2/{n}",
                                              "store_view_code": view.code} for n in (3, 4) for view in VIEWS]
    assert run_cli("resync", "--feed", "categories")[0] == 0
    sent = len(ctx.destination.rows)
    code, output = run_cli("resync", "--feed", "categories", "--by-ids", "4,99")
    assert code == 0 and "unknown ids: 99" in output, output
    assert sorted(sent_keys(ctx, sent)) == sorted(RowKey("4", view.code) for view in VIEWS)
    with pytest.raises(SystemExit) as exit_:
        run_cli("resync", "--feed", "categories", "--by-ids", "4", "--id-type", "productId")
    assert exit_.value.code == 2
    assert "--id-type productId applies to the feeds whose items are products'" in capsys.readouterr().err


def test_by_product_ids_and_a_product_gone_from_the_source_becomes_its_deletion(ctx, exporter):  # noqa: F811
    assert run_cli("resync", "--feed", "products")[0] == 0
    ctx.source.records = [r for r in ctx.source.records if r["sku"] != "SKU-0003"]
    sent = len(ctx.destination.rows)
    code, output = run_cli("resync", "--feed", "products", "--by-ids", "1,999", "--id-type", "productId")
    assert code == 0 and "unknown ids: 999" in output
    assert sorted(sent_keys(ctx, sent)) == [RowKey("SKU-0001", v.code) for v in VIEWS]
    code, output = run_cli("resync", "--feed", "products", "--by-ids", "SKU-0003")
    assert code == 0 and "unknown ids" not in output
    assert all(row.document["deleted"] for row in ctx.destination.rows[-2:])


def test_a_dry_run_writes_nothing_sends_nothing_and_says_what_it_would(ctx, exporter, tmp_path):  # noqa: F811
    assert run_cli("resync", "--feed", "products")[0] == 0
    ctx.source.records[0] = {**ctx.source.records[0], "price": 99.0}
    ctx.source.records = ctx.source.records[:-2]  # SKU-0029 left the catalog
    ctx.source.records.append(product(77))
    before = stores(ctx)
    payloads = tmp_path / "items.jsonl"
    code, output = run_cli("resync", "--feed", "products", "--dry-run", "--output", str(payloads))
    assert code == 0, output
    assert stores(ctx) == before  # no run record, no lock left, no batch record, no row, no message
    assert "dry run of products (full): nothing was written, nothing was sent" in output
    assert "read 59 rows: 1 new, 1 changed, 57 unchanged, 0 invalid; 2 deleted" in output
    assert "would send 4 items (2 deletions) in 1 batches" in output
    items = [json.loads(line) for line in payloads.read_text().splitlines()]
    assert sorted((item["sku"], item["storeViewCode"], item["deleted"]) for item in items) == [
        ("SKU-0000", "default", False), ("SKU-0029", "default", True), ("SKU-0029", "french", True),
        ("SKU-0077", "default", False)]
    assert all("modifiedAt" in item for item in items)
    # Forced, or by ids: what those would send, still sending nothing.
    assert "would send 61 items" in run_cli("resync", "--feed", "products", "--dry-run", "--force")[1]
    code, output = run_cli("resync", "--feed", "products", "--dry-run", "--by-ids", "SKU-0005,NOPE")
    assert "would send 2 items" in output and "unknown ids: NOPE" in output
    assert stores(ctx) == before


def test_an_interrupted_full_resync_continues_where_its_read_stopped(ctx, exporter, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    records = list(ctx.source.records)
    ctx.source.records = Interrupting(records, after=35)
    code, _ = run_cli("resync", "--feed", "products")
    assert code == 130
    assert "--continue-resync" in capsys.readouterr().err
    first = ctx.runs.latest("products")
    assert first.error.startswith("interrupted (Ctrl-C)")
    assert first.read_position is not None and not first.read_complete
    read_before = set(sent_keys(ctx))
    ctx.source.records = records
    code, output = run_cli("resync", "--feed", "products", "--continue-resync")
    assert code == 0, output
    assert f"continues {first.run_id} from where it stopped" in output
    assert ("resumable", "products", first.read_position) in ctx.source.reads
    # Every item went out once: the first run's part, then the rest.
    assert sorted(sent_keys(ctx)) == sorted({*read_before, *(RowKey(r["sku"], r["store_view_code"]) for r in records)})
    assert len(sent_keys(ctx)) == len(records)
    code, output = run_cli("resync", "--feed", "products", "--continue-resync")
    assert code == 1  # read to the end: nothing left to continue


def test_a_source_that_cannot_resume_reads_again_but_sends_nothing_twice(ctx, exporter):  # noqa: F811
    assert run_cli("resync", "--feed", "products")[0] == 0
    ctx.source.position_every = None
    records = list(ctx.source.records)
    ctx.source.records = Interrupting(records, after=45)
    assert run_cli("resync", "--feed", "products", "--force")[0] == 130
    sent = len(ctx.destination.rows)
    ctx.source.records = records
    code, output = run_cli("resync", "--feed", "products", "--continue-resync")
    assert code == 0 and "reading from the start" in output
    first_part = {key for key in sent_keys(ctx)[60:sent]}
    assert set(sent_keys(ctx, sent)) == {RowKey(r["sku"], r["store_view_code"]) for r in records} - first_part


def test_batch_size_thread_count_and_force_for_one_run(ctx, exporter):  # noqa: F811
    assert run_cli("resync", "--feed", "products")[0] == 0
    sent = len(ctx.destination.rows)
    assert run_cli("resync", "--feed", "products")[0] == 0
    assert len(ctx.destination.rows) == sent  # nothing changed: nothing sent
    code, output = run_cli("resync", "--feed", "products", "--force", "--batch-size", "7", "--thread-count", "4")
    assert code == 0 and "mode full, forced" in output
    assert len(ctx.destination.rows) == sent + 60
    assert {len(batch.rows) for batch in ctx.destination.batches[-9:]} == {7, 4}  # 8 × 7 + 4
    assert ctx.source.concurrency == 4


def test_cleanup_feed_asks_on_a_terminal_and_still_deletes_what_left(ctx, exporter, monkeypatch, capsys):  # noqa: F811
    assert run_cli("resync", "--feed", "products")[0] == 0
    ctx.source.records = ctx.source.records[:-2]
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    runs = len(ctx.runs.runs)
    code, output = run_cli("resync", "--feed", "products", "--cleanup-feed")
    assert (code, output.strip(), len(ctx.runs.runs)) == (1, "cancelled: nothing was changed", runs)
    assert "forgets the 60 stored rows of products" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    sent = len(ctx.destination.rows)
    code, output = run_cli("resync", "--feed", "products", "--cleanup-feed")
    assert code == 0 and "mode full, cleanup" in output
    rows = ctx.destination.rows[sent:]
    assert len(rows) == 60 and sum(row.document["deleted"] for row in rows) == 2
    assert all(row.run_id == ctx.runs.latest("products").run_id for row in ctx.rows("products").rows.values())


@pytest.mark.parametrize("argv, message", [
    (["--by-ids", ""], "--by-ids takes non-empty ids of at most 64 printable characters; got ''"),
    (["--by-ids", ",".join(f"S{i}" for i in range(1001))], "--by-ids takes at most 1,000 ids; got 1,001"),
    (["--by-ids", "x", "--id-type", "productId"], "--by-ids with --id-type productId takes positive whole numbers"),
    (["--id-type", "ean"], "argument --id-type: invalid choice: 'ean'"),
    (["--id-type", "productId"], "--id-type goes with --by-ids"),
    (["--by-ids", "A", "--no-reindex"], "--by-ids cannot be combined with --no-reindex, which resends stored"),
    (["--force", "--failed-only"], "--force cannot be combined with --failed-only"),
    (["--by-ids", "A", "--cleanup-feed"], "--by-ids cannot be combined with --cleanup-feed"),
    (["--continue-resync", "--dry-run"], "--dry-run cannot be combined with --continue-resync"),
    (["--batch-size", "0"], "--batch-size must be a whole number from 1 to 1,000; got 0"),
    (["--batch-size", "1001"], "--batch-size must be a whole number from 1 to 1,000; got 1001"),
    (["--thread-count", "17"], "--thread-count must be a whole number from 1 to 16; got 17"),
    (["--output", "x.jsonl"], "--output goes with --dry-run"),
])
def test_bad_options_exit_2_naming_what_is_valid(ctx, capsys, argv, message):  # noqa: F811
    with pytest.raises(SystemExit) as exit_:
        cli.main(["resync", "--feed", "products", *argv])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert message in error and error.startswith("usage: catalog-sync resync")
    assert ctx.runs.runs == {}


def test_progress_shows_rows_read_then_batches_and_ends_on_the_final_state(ctx, exporter, monkeypatch):  # noqa: F811
    monkeypatch.setattr(cli_progress, "LINE_SECONDS", 3600.0)  # not a terminal: only the first and last lines
    code, output = run_cli("resync", "--feed", "products")
    assert code == 0
    lines = output.splitlines()
    assert lines[1].startswith("reading products: 0 of 60 rows") or lines[1].startswith("reading products: ")
    assert "reading products: 60 of 60 rows (100%)" in output
    bars = [line for line in lines if "batches" in line and line.startswith("[")]
    assert bars[-1].startswith("[" + "#" * 30 + "] 6/6 batches")


def test_log_lines_never_reach_the_output(ctx, exporter, capsys, tmp_path):  # noqa: F811
    logger.setLevel("INFO")
    try:
        code, output = run_cli("resync", "--feed", "products")
        assert code == 0 and '"level"' not in output and '"level"' not in capsys.readouterr().out
        assert run_cli("resync", "--feed", "products", "--force", "--verbose")[0] == 0
        assert '"message":"run started"' in capsys.readouterr().err
        log = tmp_path / "sync.log"
        assert run_cli("resync", "--feed", "products", "--force", "--log-file", str(log))[0] == 0
        captured = capsys.readouterr()
        assert '"message":"run started"' in log.read_text() and '"level"' not in captured.err + captured.out
    finally:
        logger.setLevel("WARNING")


def test_messages_decode_with_the_batch_size_of_the_run(ctx):  # noqa: F811
    from chalicelib.domain.resync import ResyncOptions
    from chalicelib.services.sync import start_sync

    start_sync(ctx, mode="full", options=ResyncOptions(batch_size=25))
    assert [len(decode(body).rows) for body in ctx.queue.drain()] == [25, 25, 10]
