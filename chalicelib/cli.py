"""The command line, after Magento's `bin/magento saas:resync` (cli_resync.py) and a few commands of our own."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from . import cli_resync, credentials
from .cli_progress import log_lines
from .domain.errors import CatalogSyncError, InvalidRequestError, LockHeldError
from .domain.feeds import FEEDS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOCAL_STACK_FILE = Path(".local/stack.json")


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The command line's parser, and each command's (for its usage errors)."""
    parser = argparse.ArgumentParser(prog="catalog-sync", description="Sync the Magento catalog to SaaS services.")
    parser.add_argument("--local", action="store_true",
                        help=f"use the running local stack (`make run`), found through {LOCAL_STACK_FILE}")
    commands = parser.add_subparsers(dest="command", required=True)
    cli_resync.add_parser(commands)
    status = commands.add_parser("status", help="show each feed's last sync and the items synced")
    status.add_argument("--feed", choices=FEEDS, help="only this feed (default: every feed the source reads)")
    token = commands.add_parser("token", help="sign in to the user pool and print an access token for the API")
    token.add_argument("--user", default="operator",
                       help="with --local: admin or operator (passwords from the stack file); otherwise a user of "
                            "the pool (COGNITO_USER_POOL_ID, the first of COGNITO_CLIENT_IDS), asked for a password")
    reconcile = commands.add_parser("reconcile", help="compare what the destination holds of a feed with the feed "
                                                      "(missing, stale, orphaned items) and keep the report")
    reconcile.add_argument("--feed", required=True, choices=FEEDS, help="the feed to reconcile")
    commands.add_parser("users", help="with --local: the local stack's users and passwords, to sign in to the "
                                      "dashboard")
    sample = commands.add_parser("sample-touch", help="change a share of the sample catalog's products")
    sample.add_argument("--percent", type=float, default=1.0, help="share of the products to change (default 1)")
    return parser, dict(commands.choices)


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
    if settings.source != "sample":
        print(f"error: {_not_the_sample_catalog(settings.source)}", file=sys.stderr)
        return EXIT_USAGE
    source = SampleCatalogSource(settings.sample_products, settings.sample_seed, settings.sample_edits_file)
    skus = source.touch(percent / 100, iso(utcnow()))
    print(f"changed {len(skus)} products: {', '.join(skus[:10])}{' …' if len(skus) > 10 else ''}", file=out)
    return EXIT_OK


def _users(local: bool, out: TextIO) -> int:
    """The local stack's users (made at each start, on moto): what the dashboard's sign-in asks for."""
    if not local:
        print("error: users lists the local stack's users: use --local (a deployed pool's users are managed in "
              "Cognito)", file=sys.stderr)
        return EXIT_USAGE
    users = _local_stack()["cognito"]["users"]
    for name, user in users.items():
        print(f"{name}: user name {user['username']}, password {user['password']} (group {user['group']})", file=out)
    return EXIT_OK


def _not_the_sample_catalog(source: str) -> str:
    """Why sample-touch does nothing here, and how to change the catalog that is the source."""
    stack = _local_stack() if LOCAL_STACK_FILE.exists() else {}
    if stack.get("magento_simulated") and source == "magento":
        url = stack["magento_url"]
        return ("sample-touch changes the sample catalog, but the source is the simulated Magento store at "
                f"{url}; change its products there, e.g. curl -X POST -H 'Content-Type: application/json' "
                f"-d '{{\"name\": \"New name\"}}' {url}/__sim/products/<sku>/name (the SKUs: the dashboard's "
                "Synced catalog products; every edit: local_stack/magento/admin.py), or start the stack with "
                "SOURCE=sample")
    return (f"sample-touch changes the sample catalog, but the source is {source}: change the products in the "
            "store itself (Magento's admin), or use SOURCE=sample")


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser, commands = _parser()
    args = parser.parse_args(argv)
    try:
        with log_lines(getattr(args, "verbose", False), getattr(args, "log_file", None)):
            return _command(args, out)
    except InvalidRequestError as invalid:  # options that cannot go together: a usage error (exit 2), as argparse's
        commands[args.command].error(str(invalid))
    except LockHeldError as error:
        print(f"error: another run is in progress: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (CatalogSyncError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


def _command(args: argparse.Namespace, out: TextIO) -> int:
    if args.local:
        _use_local_stack()
    if args.command == "resync":
        return cli_resync.resync(args, out)
    if args.command == "status":
        return _status(args.feed, out)
    if args.command == "reconcile":
        return _reconcile(args.feed, out)
    if args.command == "token":
        return _token(args.user, args.local, out)
    if args.command == "users":
        return _users(args.local, out)
    return _sample_touch(args.percent, out)


if __name__ == "__main__":
    sys.exit(main())
