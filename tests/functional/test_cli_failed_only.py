"""`catalog-sync resync --feed products --failed-only`: the failed rows resent without reading the catalog."""
import pytest

from chalicelib import cli
from chalicelib.domain.batches import ATTENTION, SUBMITTED
from chalicelib.domain.feed import RowKey
from tests.fakes import state_of
from tests.functional.test_cli import ctx, exporter, run_cli  # noqa: F401 - fixtures

BAD = RowKey("SKU-0007", "french")


def test_failed_only_resends_the_rows_that_failed_and_nothing_else(ctx, exporter):  # noqa: F811
    ctx.destination.reject = {BAD: "invalid: the destination wanted a name"}
    assert run_cli("resync", "--feed", "products")[0] == 0
    assert state_of(ctx, BAD).status == ATTENTION
    ctx.destination.reject = {}
    reads, sent = len(ctx.source.reads), len(ctx.destination.rows)

    code, output = run_cli("resync", "--feed", "products", "--failed-only")
    assert code == 0
    assert "mode failed, trigger cli" in output and "exported 1, failed 0" in output
    assert len(ctx.source.reads) == reads
    assert [row.key for row in ctx.destination.rows[sent:]] == [BAD]
    assert state_of(ctx, BAD).status == SUBMITTED


def test_failed_only_and_no_reindex_do_not_go_together(ctx, capsys):  # noqa: F811
    with pytest.raises(SystemExit) as exit_:
        cli.main(["resync", "--feed", "products", "--failed-only", "--no-reindex"])
    assert exit_.value.code == 2 and "--no-reindex and --failed-only cannot go together" in capsys.readouterr().err
