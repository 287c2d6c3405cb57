"""`catalog-sync resync`: Adobe's `bin/magento saas:resync` and its options, plus ours (a summary, --failed-only,
--timeout, the logs' place), run in this process; the exporters finish the run."""
from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from .cli_progress import ProgressLine, ReadProgress, follow_export
from .domain.answers.force import DryRunFeed
from .domain.errors import InvalidRequestError
from .domain.feeds import FEEDS, feed_named
from .domain.resync import (
    CLI_NAMES,
    ID_TYPES,
    MAX_BATCH_SIZE,
    MAX_IDS,
    MAX_THREADS,
    SKU,
    ResyncOptions,
    check,
    parse_ids,
)
from .domain.runs import (
    FAILED_ONLY,
    FULL,
    IN_PROGRESS,
    NO_REINDEX,
    READS_ALL,
    STATUS_LABELS,
    SUCCESS,
    SyncRun,
    parse_iso,
)

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


EXAMPLES = """\
examples:
  catalog-sync resync --feed products                                 # new, changed, failed items and deletions
  catalog-sync resync --feed products --force                         # every item (the dashboard's Force sync)
  catalog-sync resync --feed products --by-ids MS-000001,MS-000002    # these items, even if unchanged
  catalog-sync resync --feed products --by-ids 42,43 --id-type productId
  catalog-sync resync --feed products --dry-run --output items.jsonl  # what would be sent, sending nothing
  catalog-sync resync --feed products --continue-resync               # on from where an interrupted one stopped
  catalog-sync resync --feed products --batch-size 500 --thread-count 4
  catalog-sync resync --feed products --cleanup-feed                  # rebuild the stored rows (asks first)

exit codes: 0 the run succeeded (a dry run: read to the end); 1 it failed, is still exporting at --timeout, or
another run holds the feed; 2 bad options; 130 interrupted (Ctrl-C)."""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    resync = commands.add_parser(
        "resync", help="re-sync a feed to the SaaS services (Adobe's saas:resync)",
        description="Re-syncs feed data to the SaaS services, as Adobe's `bin/magento saas:resync` does: reads the "
                    "whole\nfeed and sends the items that are new, changed or failed before, and deletions; what the"
                    "\ndestination already holds is skipped.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    adobe = resync.add_argument_group("saas:resync's options")
    adobe.add_argument("--feed", required=True, choices=FEEDS, help="the feed to re-sync: " + ", ".join(FEEDS))
    adobe.add_argument("--no-reindex", action="store_true",
                       help="re-submit the stored feed data only, without reading the catalog")
    adobe.add_argument("--cleanup-feed", action="store_true",
                       help="forget the stored rows and rebuild them; unlike Adobe's, items that left the catalog "
                            "are still deleted at the destination (asks first on a terminal)")
    adobe.add_argument("--dry-run", action="store_true",
                       help="read and build as a real run would; write nothing, send nothing; print a summary")
    adobe.add_argument("--thread-count", type=int, metavar="N",
                       help=f"requests in flight to the source for this run (1 to {MAX_THREADS}; default: "
                            "MAGENTO_CONCURRENCY)")
    adobe.add_argument("--batch-size", type=int, metavar="N",
                       help=f"items per batch for this run (1 to {MAX_BATCH_SIZE:,}; default: the feed's)")
    adobe.add_argument("--continue-resync", action="store_true",
                       help="continue the interrupted full resync from where its read stopped")
    adobe.add_argument("--by-ids", metavar="IDS",
                       help=f"re-sync only these items, comma-separated (at most {MAX_IDS:,}), each sent even if "
                            "unchanged; unknown ids are reported")
    adobe.add_argument("--id-type", choices=ID_TYPES, default=SKU,
                       help="what --by-ids holds: the feed's own ids (sku: SKUs for products; default) or productId")
    adobe.add_argument("--force", action="store_true", help="send every item read, whatever the destination holds")
    ours = resync.add_argument_group("catalog-sync's extras")
    ours.add_argument("--failed-only", action="store_true",
                      help="resend the items whose export failed (for now or for good), without reading the catalog")
    ours.add_argument("--output", metavar="FILE",
                      help="with --dry-run: write the items it would send to FILE, one JSON object a line")
    ours.add_argument("--yes", action="store_true", help="do not ask before --cleanup-feed")
    ours.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                      help="how long to wait for the export to finish (default: the run's deadline)")
    ours.add_argument("--verbose", action="store_true", help="the service's log lines on stderr")
    ours.add_argument("--log-file", metavar="FILE", help="the service's log lines in FILE")
    return resync


def options_of(args: argparse.Namespace) -> tuple[str, ResyncOptions]:
    """The run's mode and options, or InvalidRequestError naming the flags that cannot go together."""
    if args.no_reindex and args.failed_only:
        raise InvalidRequestError("--no-reindex and --failed-only cannot go together: the first resends every stored "
                                  "item, the second only those whose export failed")
    mode = NO_REINDEX if args.no_reindex else FAILED_ONLY if args.failed_only else FULL
    if args.output and not args.dry_run:
        raise InvalidRequestError("--output goes with --dry-run (a real run sends its items to the destination)")
    if args.id_type != SKU and args.by_ids is None:
        raise InvalidRequestError("--id-type goes with --by-ids")
    ids = parse_ids(args.by_ids.split(","), args.id_type) if args.by_ids is not None else ()
    options = ResyncOptions(force=args.force, cleanup=args.cleanup_feed, ids=ids, id_type=args.id_type,
                            batch_size=args.batch_size, thread_count=args.thread_count)
    check(mode, options, feed_named(args.feed).product_keyed, dry_run=args.dry_run, names=CLI_NAMES,
          continuing=args.continue_resync)
    return mode, options


def resync(args: argparse.Namespace, out: TextIO) -> int:
    from . import container
    from .services.resume import open_continuation
    from .services.sync import continue_sync, open_sync

    mode, options = options_of(args)
    ctx = container.context()
    progress_stream = sys.stderr if out is sys.stdout else out
    if args.dry_run:
        return _dry_run(ctx, args, mode, options, out, progress_stream)
    if args.cleanup_feed and not _confirmed(ctx, args.feed, args.yes):
        print("cancelled: nothing was changed", file=out)
        return EXIT_FAILED
    if args.continue_resync:
        run = open_continuation(ctx, args.feed, "cli", options)
    else:
        run = open_sync(ctx, args.feed, "cli", mode, options)
    print(f"run {run.run_id} started ({_described(run)})", file=out)
    line = ProgressLine(progress_stream)
    started = time.monotonic()
    try:
        with ReadProgress(line, run, lambda: _total(ctx, run)):
            run = continue_sync(ctx, run)
    except KeyboardInterrupt:
        line.end()
        again = (f"; continue it with `catalog-sync resync --feed {run.feed} --continue-resync`"
                 if run.mode == FULL else "")
        print(f"interrupted: run {run.run_id} stopped reading after {run.rows_seen:,} rows (what it built is "
              f"written and goes out){again}", file=sys.stderr)
        return EXIT_INTERRUPTED
    timeout = args.timeout if args.timeout is not None else max(
        1.0, (parse_iso(run.deadline_at) - datetime.now(UTC)).total_seconds())
    try:
        run = follow_export(run, ctx.runs.get, line, time.monotonic() + timeout, started)
    except KeyboardInterrupt:
        line.end()
        print(f"stopped waiting: run {run.run_id} goes on (`catalog-sync status` shows it)", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(summary(run), file=out)
    if run.status == IN_PROGRESS:
        print("still in progress: are the exporters running? (`catalog-sync status` shows it later)", file=out)
    return EXIT_OK if run.status == SUCCESS else EXIT_FAILED


def _described(run: SyncRun) -> str:
    options = run.options
    parts = [run.mode]
    parts += [name for name, on in (("forced", options.force), ("cleanup", options.cleanup)) if on]
    if options.ids:
        parts.append(f"{len(options.ids):,} ids")
    if options.resumes:
        parts.append(f"continues {options.resumes[-1]}" + (" from where it stopped" if options.resume_from
                                                           else ", reading from the start"))
    return ", ".join(parts)


def _total(ctx: Any, run: SyncRun) -> tuple[int | None, bool]:
    """How many rows the read will see: the source's count, else the last full read's (an estimate)."""
    if run.mode not in (*READS_ALL, NO_REINDEX) or run.options.resume_from:
        return None, False
    counted = ctx.source.count(run.feed) if run.mode != NO_REINDEX else None
    if counted is not None:
        return counted, False
    return ctx.control.feed_states.get(run.feed).rows_total or None, True


def _confirmed(ctx: Any, feed: str, yes: bool) -> bool:
    """--cleanup-feed says what it costs; on a terminal it asks first (unless --yes)."""
    rows = ctx.control.feed_states.get(feed).rows_total
    batch = feed_named(feed).batch_size
    where = ctx.destination.kind if ctx.destination else "no destination (nothing is exported)"
    warning = (f"--cleanup-feed forgets the {rows:,} stored rows of {feed} and rebuilds them: every item is read, "
               f"written again ({rows:,} writes) and sent again (~{rows:,} items in ~{-(-rows // batch):,} batches) "
               f"to {where}; items that left the catalog are still deleted there.")
    print(warning, file=sys.stderr)
    if yes or not sys.stdin.isatty():
        return True
    return input("Continue? [y/N] ").strip().lower() in ("y", "yes")


def _dry_run(ctx: Any, args: argparse.Namespace, mode: str, options: ResyncOptions, out: TextIO,
             progress_stream: TextIO) -> int:
    from .services.dry_run import DryRun

    sink = open(args.output, "w", encoding="utf-8") if args.output else None  # noqa: SIM115
    try:
        dry = DryRun(ctx, output=sink.write if sink else None)
        run = dry.open(args.feed, mode, options, "cli")
        with ReadProgress(ProgressLine(progress_stream), run, lambda: _total(ctx, run)):
            result = dry.run(run)
    except KeyboardInterrupt:
        print("dry run interrupted: nothing was written or sent", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if sink is not None:
            sink.close()
    print(dry_summary(result, args.output), file=out)
    return EXIT_OK if result["complete"] else EXIT_FAILED


def dry_summary(result: DryRunFeed, output: str | None) -> str:
    rows, send = result["rows"], result["send"]
    lines = [f"dry run of {result['feed']} ({result['mode']}{', forced' if result['force'] else ''}): nothing "
             "was written, nothing was sent",
             f"  read {rows['read']:,} rows: {rows['new']:,} new, {rows['changed']:,} changed, "
             f"{rows['unchanged']:,} unchanged, {rows['invalid']:,} invalid; {rows['deleted']:,} deleted",
             f"  would send {send['items']:,} items ({send['deletions']:,} deletions) in {send['batches']:,} "
             f"batches, {send['bytes']:,} bytes"]
    if result["not_exported"]:
        lines.append(f"  not exported: {result['not_exported']}")
    if result["unknown_ids"]:
        lines.append(f"  unknown ids: {', '.join(result['unknown_ids'])}")
    if result["error"]:
        lines.append(f"  stopped: {result['error']}")
    if output:
        lines.append(f"  the items: {output} ({send['items']:,} lines)")
    return "\n".join(lines)


def summary(run: SyncRun) -> str:
    end = parse_iso(run.finished_at) if run.finished_at else datetime.now(UTC)
    duration = (end - parse_iso(run.started_at)).total_seconds()
    lines = [f"run {run.run_id}: {STATUS_LABELS[run.status]}",
             f"  mode {_described(run)}, trigger {run.trigger}, destination {run.destination}",
             f"  rows changed {run.rows_changed}, exported {run.rows_exported}, failed {run.rows_failed}"
             f" (seen {run.rows_seen}, deleted {run.rows_deleted})",
             f"  duration {duration:.1f} s"]
    if run.unknown_ids:
        lines.append(f"  unknown ids: {', '.join(run.unknown_ids)}")
    if run.export_disabled_reason:
        lines.append(f"  not exported: {run.export_disabled_reason}")
    if run.error:
        lines.append(f"  errors: {run.error}")
    return "\n".join(lines)
