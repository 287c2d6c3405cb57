"""The reindex of one feed: read the source (whole, what changed, or the items asked for), build each item's row,
compare hashes, write and send what the run sends."""
from __future__ import annotations

from datetime import timedelta

from ..domain.batches import BatchOutcome
from ..domain.events import DirtyEntry
from ..domain.feed import RowKey, StoredState
from ..domain.feeds import Feed
from ..domain.runs import BY_IDS, FULL, READS_ALL, SyncRun, iso, parse_iso
from ..ports import FeedState
from .context import SyncContext
from .fanout import Fanout
from .outcomes import Outcomes
from .reader import PAGE_SIZE, Reader, pages, state_of

# What a reindex learnt of the feed's catalog: (rows, distinct ids, absolute). Absolute totals come from a read of
# the whole source; otherwise they are what the run added.
Catalog = tuple[int, int, bool]


def reindex(ctx: SyncContext, feed: Feed, run: SyncRun, state: FeedState, fanout: Fanout,
            dirty: list[DirtyEntry]) -> Catalog:
    """Read the source, write changed rows, send what needs exporting; return the catalog totals."""
    scopes = {view.code: view for view in ctx.source.store_views()}
    if run.mode == BY_IDS:  # not a read of the feed: the watermark and the last full read stay as they are
        catalog = read_ids(ctx, Reader(ctx, feed, run, fanout, scopes, None))
        run.read_complete = True
        return catalog
    read_all = run.mode in READS_ALL or not feed.incremental
    resuming = run.options.resume_from is not None
    since = None
    if not read_all and state.watermark:
        since = iso(parse_iso(state.watermark) - timedelta(seconds=ctx.settings.source_overlap_seconds))
    # A read resumed part-way began when the run it continues began reading: changes made since are read again.
    run.source_read_at = (resuming and run.options.first_read_at) or iso(ctx.clock())
    # A read resumed part-way cannot tell what its first part saw: it looks rows up page by page and deletes nothing
    # (the next full read does).
    known = _known_states(ctx, feed, run, fanout) if read_all and not resuming else None
    reader = Reader(ctx, feed, run, fanout, scopes, known)
    if run.mode == FULL:  # a full resync can be continued where it stopped: its read tells where it stands
        reader.read(ctx.source.read_resumable(feed.name, run.options.resume_from))
    else:
        reader.read(ctx.source.read(feed.name, since))
    run.read_complete = True

    if known is not None:  # the whole source was read: what it no longer returns is gone
        reader.delete([key for key, previous in known.items() if key not in reader.seen and not previous.deleted])
        return reader.live_rows, len(reader.live_ids), True
    if not dirty:
        return reader.new_rows, reader.new_ids, False
    return _read_dirty(ctx, reader, dirty)


def _known_states(ctx: SyncContext, feed: Feed, run: SyncRun, fanout: Fanout) -> dict[RowKey, StoredState]:
    """What the feed's rows hold, to compare the whole source with. Only runs write rows, and a run is recorded
    before it writes any: in the feed's first run there is nothing to read, and no Scan of the table is made (a
    Scan reads every feed's rows to keep this one's; the first sync of a feed after products pays for products)."""
    runs, _ = ctx.runs.list_runs(feed.name, 2)
    if all(earlier.run_id == run.run_id for earlier in runs):
        return {}
    return fanout.rows.all_states()


def read_ids(ctx: SyncContext, reader: Reader) -> Catalog:
    """By ids: the items asked for, each sent; in a scope where the source no longer has one, its deletion. The ids
    nothing knows of (the source, or a live row) are the run's unknown ids."""
    options = reader.run.options
    skus, product_ids = options.skus, options.product_ids
    reader.read(ctx.source.read_by_ids(reader.feed.name, skus, product_ids))
    seen_ids = {key.id for key in reader.seen}
    live = {key: stored for key, stored in reader.fanout.rows.states_of_ids(skus).items() if not stored.deleted}
    vanished = sorted(key for key in live if key not in reader.seen)
    deleted = reader.delete(vanished)
    gone = {key.id for key in vanished} - seen_ids
    unknown = [i for i in skus if i not in seen_ids and i not in gone]
    unknown += [str(i) for i in product_ids if i not in reader.seen_product_ids]
    reader.run.unknown_ids = tuple(unknown)
    return reader.new_rows - deleted, reader.new_ids - len(gone), False


def _read_dirty(ctx: SyncContext, reader: Reader, dirty: list[DirtyEntry]) -> Catalog:
    """Read the dirty items the changed ones did not include; delete the dirty ones the source dropped."""
    ids = {entry.sku for entry in dirty if entry.sku is not None}
    product_ids = {entry.product_id for entry in dirty if entry.product_id is not None}
    # A product's updated_at is one value for all its store views (Magento keeps it on the product), so
    # a product the changed read returned came with every view it is in: it is not read twice.
    seen_ids = {key.id for key in reader.seen}
    wanted_ids, wanted_product_ids = ids - seen_ids, product_ids - reader.seen_product_ids
    if wanted_ids or wanted_product_ids:
        already = set(reader.seen)
        reader.read(record for record in ctx.source.read_by_ids(reader.feed.name, wanted_ids, wanted_product_ids)
                    if reader.feed.key_of(record) not in already)
    # Deletion events are hints: only what the source no longer returns, per scope, is deleted.
    candidates = [RowKey(i, scope) for i in sorted(ids) for scope in reader.scopes
                  if RowKey(i, scope) not in reader.seen]
    vanished = sorted(key for key, stored in reader.fanout.rows.states(candidates).items() if not stored.deleted)
    deleted = reader.delete(vanished)
    gone = {key.id for key in vanished} - {key.id for key in reader.seen}
    return reader.new_rows - deleted, reader.new_ids - len(gone), False


def resubmit(ctx: SyncContext, fanout: Fanout, run: SyncRun) -> None:
    """--no-reindex: send the stored feed documents again without reading the source (a deletion the destination
    already took is not sent again)."""
    outcomes = Outcomes(ctx.batches)
    for page in pages(fanout.rows.iter_rows(), PAGE_SIZE):
        outcomes.get(row.batch for row in page)
        for row in page:
            run.rows_seen += 1
            if not fanout.enabled or not row.document:
                continue
            delivered = outcomes.delivered(row.key, state_of(row))
            if row.deleted and delivered:
                continue
            fanout.send(row, rewrite=not delivered, changed=False)
        fanout.progress.tick()


def resend_failed(ctx: SyncContext, fanout: Fanout, run: SyncRun) -> list[BatchOutcome]:
    """Mode failed: send the stored documents of the rows whose export failed, for now or for good (found through
    their batches, not by scanning the rows); return the batches to retire.

    Rows the source found malformed are left out: their stored document is the last good one, and sending
    it would hide the source's problem (they go out once the source gives a valid record again).
    """
    if not fanout.enabled:
        return []
    feed = run.feed
    return fanout.resend([*ctx.batches.outbox(feed), *ctx.batches.needing_attention(feed)])
