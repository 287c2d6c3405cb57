"""What the stack tells the outside world: .local/stack.json for tools and tests, and the start banner."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_stack_file(path: Path, info: dict[str, Any]) -> None:
    # Write then rename: a test polling for the file never reads half of it.
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def banner(info: dict[str, Any], stack_file: Path, sync_interval: int, export_workers: int,
           export_disabled_reason: str | None) -> str:
    return "\n".join([
        "",
        "Catalog Sync local stack is running",
        f"  Dashboard   {info['dashboard_url']}",
        f"  API         {info['api_url']}",
        *_sign_in_lines(info, stack_file),
        f"  AWS (moto)  {info['aws_endpoint_url']} ({info['region']})",
        _catalog_line(info),
        f"  Destination {_destination(info, export_disabled_reason)}",
        f"  Schedule    first sync now, then every {sync_interval} s; {export_workers} export worker(s)",
        f"  Stack file  {stack_file}",
        "Press Ctrl-C to stop.",
        "",
    ])


def _sign_in_lines(info: dict[str, Any], stack_file: Path) -> list[str]:
    users = " and ".join(f"{name} ({user['group']})" for name, user in info["cognito"]["users"].items())
    return [
        f"  Sign in     users {users} of Cognito user pool {info['cognito']['user_pool_id']} on moto; their "
        f"passwords (made at each start, in {stack_file.name} under cognito.users): "
        ".venv/bin/catalog-sync --local users",
        "  Token       TOKEN=$(.venv/bin/catalog-sync --local token --user operator)",
        f"  Try         curl -H \"Authorization: Bearer $TOKEN\" {info['api_url']}sync/status",
        f"              curl -X POST -H \"Authorization: Bearer $TOKEN\" {info['api_url']}sync   # force a full resync",
    ]


def _destination(info: dict[str, Any], export_disabled_reason: str | None) -> str:
    if export_disabled_reason is not None:
        return f"none ({export_disabled_reason}): rows are reindexed, not exported"
    if info.get("destination_simulated"):
        return (f"simulated ingestion service at {info['destination_url']} (its key: simulated_destination_api_key "
                f"in the stack file); what it holds: GET {info['ingestion_admin_url']}/items?feed=<feed> (products "
                "by default)")
    if info.get("destination") == "http":
        return f"HTTP ingestion at {info['destination_url']}"
    return f"S3 hub, bucket {info['hub_bucket']}"


def _catalog_line(info: dict[str, Any]) -> str:
    env = info["env"]
    if info.get("magento_simulated"):
        return (f"  Catalog     simulated Magento 2.4 at {info['magento_url']} ({env.get('SAMPLE_PRODUCTS')} products, "
                f"OAuth 1.0a); change it: POST {info['magento_url']}/__sim/...")
    if info.get("source") == "magento":
        return f"  Catalog     Magento at {info['magento_url']}"
    return f"  Catalog     {env.get('SAMPLE_PRODUCTS')} sample products; edits in {info['sample_edits_file']}"
