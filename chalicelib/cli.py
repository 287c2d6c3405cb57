"""The command line, after Magento's `bin/magento saascatalog:resync --feed products [--no-reindex]`."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from . import credentials
from .domain.errors import CatalogSyncError, LockHeldError
from .domain.feeds import FEEDS
from .domain.runs import FAILED_ONLY, FULL, IN_PROGRESS, NO_REINDEX, STATUS_LABELS, SUCCESS, SyncRun, parse_iso

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOCAL_STACK_FILE = Path(".local/stack.json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="catalog-sync", description="Sync the Magento catalog to SaaS services.")
    parser.add_argument("--local", action="store_true",
                        help=f"use the running local stack (`make run`), found through {LOCAL_STACK_FILE}")
    commands = parser.add_subparsers(dest="command", required=True)
    resync = commands.add_parser("resync", help="reindex the catalog and resync it to the destination")
    resync.add_argument("--feed", required=True, choices=FEEDS, help="the feed to resync")
    what = resync.add_mutually_exclusive_group()
    what.add_argument("--no-reindex", action="store_true",
                      help="resubmit the stored feed documents without reading the catalog")
    what.add_argument("--failed-only", action="store_true",
                      help="resend the rows whose export failed (for now or for good), without reading the catalog")
    resync.add_argument("--timeout", type=float, default=None,
                        help="seconds to wait for the export to finish (default: the run's deadline)")
    status = commands.add_parser("status", help="show each feed's last sync and the items synced")
    status.add_argument("--feed", choices=FEEDS, help="only this feed (default: every feed the source reads)")
    token = commands.add_parser("token", help="sign in to the user pool and print an access token for the API")
    token.add_argument("--user", default="operator",
                       help="with --local: admin or operator (passwords from the stack file); otherwise a user of "
                            "the pool (COGNITO_USER_POOL_ID, the first of COGNITO_CLIENT_IDS), asked for a password")
    reconcile = commands.add_parser("reconcile", help="compare what the destination holds of a feed with the feed "
                                                      "(missing, stale, orphaned items) and keep the report")
    reconcile.add_argument("--feed", required=True, choices=FEEDS, help="the feed to reconcile")
    sample = commands.add_parser("sample-touch", help="change a share of the sample catalog's products")
    sample.add_argument("--percent", type=float, default=1.0, help="share of the products to change (default 1)")
    return parser


def _local_stack() -> dict:
    if not LOCAL_STACK_FILE.exists():
        raise CatalogSyncError(f"no local stack found ({LOCAL_STACK_FILE} is missing): start it with `make run`")
    return json.loads(LOCAL_STACK_FILE.read_text())


def _use_local_stack() -> None:
    stack = _local_stack()
    os.environ.update(stack["env"])
    os.environ.update(stack.get("source_credentials") or {})  # the simulated Magento's, when it is the source
    if stack.get("simulated_destination_api_key"):  # the simulated ingestion service's, when it is the destination
        os.environ[credentials.DESTINATION_API_KEY] = stack["simulated_destination_api_key"]


def _bar(run: SyncRun, width: int = 30) -> str:
    total = run.batches_total
    done = run.batches_done + run.batches_failed
    if total is None:
        return f"reindexing… {run.batches_done + run.batches_failed} batches exported so far"
    filled = width if total == 0 else width * done // total
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} batches"


def _wait(ctx, run: SyncRun, timeout: float | None, out: TextIO) -> SyncRun:
    deadline = time.monotonic() + (timeout if timeout is not None else
                                   max(1.0, (parse_iso(run.deadline_at) - datetime.now(UTC)).total_seconds()))
    interactive = out.isatty()
    last = ""
    while run.status == IN_PROGRESS and time.monotonic() < deadline:
        line = _bar(run)
        if line != last:
            out.write(("\r" + line) if interactive else line + "\n")
            out.flush()
            last = line
        time.sleep(0.5)
        run = ctx.runs.get(run.run_id) or run
    if interactive and last:
        out.write("\r" + _bar(run) + "\n")
    return run


def _summary(run: SyncRun) -> str:
    end = parse_iso(run.finished_at) if run.finished_at else datetime.now(UTC)
    duration = (end - parse_iso(run.started_at)).total_seconds()
    lines = [f"run {run.run_id}: {STATUS_LABELS[run.status]}",
             f"  mode {run.mode}, trigger {run.trigger}, destination {run.destination}",
             f"  rows changed {run.rows_changed}, exported {run.rows_exported}, failed {run.rows_failed}"
             f" (seen {run.rows_seen}, deleted {run.rows_deleted})",
             f"  duration {duration:.1f} s"]
    if run.export_disabled_reason:
        lines.append(f"  not exported: {run.export_disabled_reason}")
    if run.error:
        lines.append(f"  errors: {run.error}")
    return "\n".join(lines)


def _resync(args: argparse.Namespace, out: TextIO) -> int:
    from . import container
    from .services.sync import start_sync

    ctx = container.context()
    mode = NO_REINDEX if args.no_reindex else FAILED_ONLY if args.failed_only else FULL
    run = start_sync(ctx, feed=args.feed, trigger="cli", mode=mode)
    print(f"run {run.run_id} started ({run.mode})", file=out)
    run = _wait(ctx, run, args.timeout, sys.stderr if out is sys.stdout else out)
    print(_summary(run), file=out)
    if run.status == IN_PROGRESS:
        print("still in progress: are the exporters running? (`catalog-sync status` shows it later)", file=out)
    return EXIT_OK if run.status == SUCCESS else EXIT_FAILED


def _status(feed: str | None, out: TextIO) -> int:
    from . import container
    from .services.status import sync_status

    ctx = container.context()
    feeds = [feed] if feed else [name for name in FEEDS if name in ctx.source.feeds()]
    export = None
    for name in feeds:
        status = sync_status(ctx, name)
        last, synced, export = status["last_sync"], status["products_synced"], status["export"]
        print(f"{name}:", file=out)
        if last is None:
            print("  last sync: none yet", file=out)
        else:
            print(f"  last sync: {last['status']} — run {last['run_id']} ({last['mode']}, {last['trigger']}), "
                  f"started {last['started_at']}, finished {last['finished_at'] or '-'}", file=out)
            print(f"    rows changed {last['rows_changed']}, exported {last['rows_exported']}, "
                  f"failed {last['rows_failed']}" + (f"; errors: {last['error']}" if last["error"] else ""), file=out)
        print(f"  synced: {synced['products']} {'products' if name == 'products' else 'items'} "
              f"({synced['rows']} rows), last successful sync {synced['last_success_at'] or 'never'}", file=out)
    if export is not None:
        print("export: " + (f"enabled ({export['destination']})" if export["enabled"]
                            else f"disabled: {export['reason']}"), file=out)
    return EXIT_OK


def _reconcile(feed: str, out: TextIO) -> int:
    from . import container
    from .domain.reconciliation import KINDS
    from .services.reconciliation import reconcile

    report = reconcile(container.context(), feed, trigger="cli")
    if report.error:
        print(f"reconciliation {report.report_id} failed: {report.error}", file=out)
        return EXIT_FAILED
    print(f"reconciliation {report.report_id} of {feed} against {report.destination}: {report.held:,} items held, "
          f"{report.source_rows:,} rows (+{report.source_deletions:,} deletions), {report.in_sync:,} in sync, "
          f"{report.pending:,} still to be sent", file=out)
    for kind in KINDS:
        shown = ", ".join("/".join(item["identity"]) for item in report.items[kind][:5])
        print(f"  {kind}: {report.counts[kind]:,}" + (f" (e.g. {shown})" if shown else ""), file=out)
    clean = not any(report.counts.values())
    print("the destination holds exactly the feed" if clean else
          "act on it from the dashboard's Reconciliation page (resend these / delete these)", file=out)
    return EXIT_OK if clean else EXIT_FAILED


def _token(user: str, local: bool, out: TextIO) -> int:
    """USER_PASSWORD_AUTH against the pool (moto's locally); the token goes to stdout alone, for $(...)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .adapters.cognito_sign_in import access_token
    from .settings import load

    if local:
        cognito = _local_stack()["cognito"]
        if user not in cognito["users"]:
            raise CatalogSyncError(f"the local stack's users are {', '.join(cognito['users'])}; got {user!r}")
        endpoint, region, client_id = cognito["endpoint_url"], cognito["region"], cognito["client_id"]
        password = cognito["users"][user]["password"]
    else:
        settings = load()
        if settings.sign_in_missing:
            raise CatalogSyncError(settings.sign_in_missing)
        endpoint, region, client_id = None, settings.cognito_region, settings.cognito_client_ids[0]
        import getpass

        password = getpass.getpass(f"password of {user}: ")
    try:
        print(access_token(endpoint, region, client_id, user, password), file=out)
    except (BotoCoreError, ClientError) as error:
        raise CatalogSyncError(f"sign-in failed: {error}") from None
    return EXIT_OK


def _sample_touch(percent: float, out: TextIO) -> int:
    from .adapters.sample_catalog import SampleCatalogSource
    from .domain.runs import iso, utcnow
    from .settings import load

    settings = load()
    source = SampleCatalogSource(settings.sample_products, settings.sample_seed, settings.sample_edits_file)
    skus = source.touch(percent / 100, iso(utcnow()))
    print(f"changed {len(skus)} products: {', '.join(skus[:10])}{' …' if len(skus) > 10 else ''}", file=out)
    return EXIT_OK


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.local:
            _use_local_stack()
        if args.command == "resync":
            return _resync(args, out)
        if args.command == "status":
            return _status(args.feed, out)
        if args.command == "reconcile":
            return _reconcile(args.feed, out)
        if args.command == "token":
            return _token(args.user, args.local, out)
        return _sample_touch(args.percent, out)
    except LockHeldError as error:
        print(f"error: another run is in progress: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (CatalogSyncError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
