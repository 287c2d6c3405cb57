"""OpenAPI schemas of the sync routes (status, runs, force sync and dry runs), and the schema helpers the whole
document uses."""
from __future__ import annotations

from typing import Any

from ..domain.feeds import FEEDS
from ..domain.resync import ID_TYPES, MAX_BATCH_SIZE, MAX_ID_LENGTH, MAX_IDS, MAX_THREADS, SKU
from ..domain.runs import BY_IDS, FORCE_MODES, MODES, STATUS_LABELS, TRIGGERS

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def null(schema: Schema) -> Schema:
    """``schema`` or null (JSON Schema 2020-12, as OpenAPI 3.1 uses it)."""
    if "$ref" in schema or "enum" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def object_of(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional]}


STRING, INTEGER, NUMBER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with milliseconds"}
COUNT = {"type": "integer", "minimum": 0}


def run_schemas() -> dict[str, Schema]:
    progress = object_of({
        "phase": {"enum": ["reindex", "export"], "description": "reading the catalog, or exporting the batches"},
        "rows_seen": COUNT, "rows_changed": COUNT,
        "batches_done": {**COUNT, "description": "batches exported or failed so far"},
        "batches_total": null({**COUNT, "description": "known once the reindex has sent every batch"}),
        "rows_per_second": null({"type": "number", "minimum": 0}),
        "eta_seconds": null({**COUNT, "description": "time left of the phase: of the read while reindexing (when "
                                                      "the whole catalog is read), of the export after"}),
        "rows_expected": null({**COUNT, "description": "the rows a run reading the whole feed expects (the feed's "
                                                       "rows at its last sync)"}),
        "updated_at": null(TIME),
    })
    run = object_of({
        "run_id": STRING, "feed": {"enum": list(FEEDS)}, "trigger": {"enum": list(TRIGGERS)},
        "mode": {"enum": list(MODES)}, "status": {"enum": list(STATUS_LABELS.values())},
        "started_at": TIME, "finished_at": null(TIME),
        "rows_seen": COUNT, "rows_changed": COUNT,
        "rows_new": {**COUNT, "description": "items read that no row held (or held deleted)"},
        "rows_updated": {**COUNT, "description": "items read whose document changed"},
        "rows_unchanged": {**COUNT, "description": "items read as the rows hold them"},
        "rows_deleted": COUNT, "rows_exported": COUNT,
        "rows_failed": COUNT, "batches_total": null(COUNT), "batches_done": COUNT, "batches_failed": COUNT,
        "destination": STRING, "error": null({**STRING, "description": "the error summary, failures grouped"}),
        "error_code": null({**STRING, "description": "the run's own failure, by code (the source, an internal "
                                                      "error)"}),
        "error_counts": {"type": "object", "additionalProperties": COUNT,
                         "description": "rows failed per failure code"},
        "status_text": {**STRING, "description": "the status in words: 'Success — N rows failed, will retry' when "
                                                 "batches failed for now (the dead-letter queue's)"},
        "rows_retrying": {**COUNT, "description": "rows of batches failed for now: the next sync resends them"},
        "freshness": null({**ref("Freshness"), "description": "from each item's change in the source "
                                                              "(updated_at) to its export, within 10 %"}),
        "progress": null(ref("Progress")),
    })
    row_key = object_of({"id": {**STRING, "description": "the item's id: a SKU for the product feeds"},
                       "scope": {**STRING, "description": "where it applies: a store view for products"},
                       "message": STRING})
    options = object_of({
        "force": {**BOOLEAN, "description": "every item read was sent, whatever the destination held"},
        "cleanup": {**BOOLEAN, "description": "the stored rows were rebuilt from scratch"},
        "ids": {"type": "array", "items": STRING, "maxItems": MAX_IDS,
                "description": "a resync by ids: those asked for"},
        "id_type": {"enum": list(ID_TYPES)}, "batch_size": null(COUNT), "thread_count": null(COUNT),
        "continues": null({**STRING, "description": "the interrupted full resync this run continues"})})
    detail = {"allOf": [ref("Run"), object_of({
        "export_disabled_reason": null(STRING), "deadline_at": TIME, "sealed_at": null(TIME),
        "errors": {"type": "array", "description": "failed rows grouped by failure code, most frequent first",
                   "items": object_of({"code": STRING, "count": COUNT, "message": STRING,
                                     "examples": {"type": "array", "maxItems": 3, "items": ref("RowKey")}})},
        "options": options,
        "read_complete": {**BOOLEAN, "description": "the read got to the end (else a full resync can be continued)"},
        "unknown_ids": {"type": "array", "items": STRING, "description": "by ids: ids neither the source nor a row "
                                                                        "has"},
    })]}
    status = object_of({
        "feed": {"enum": list(FEEDS)},
        "last_sync": null(ref("Run")),
        "products_synced": object_of({"last_success_at": null(TIME), "last_success_run_id": null(STRING),
                                    "products": COUNT, "rows": {**COUNT, "description": "product × store view"}}),
        "cooldown": object_of({"seconds": COUNT, "last_forced_at": null(TIME), "available": BOOLEAN,
                             "available_at": null({**TIME, "description": "when force sync is next available"})}),
        "export": object_of({"enabled": BOOLEAN, "destination": STRING, "reason": null(STRING)}),
    })
    return {"Progress": progress, "Run": run, "RunDetail": detail, "RowKey": row_key, "SyncStatus": status,
            "RunPage": object_of({"items": {"type": "array", "items": ref("Run")}, "next_cursor": null(STRING)})}


def sync_schemas() -> dict[str, Schema]:
    request = {"type": "object", "additionalProperties": False, "properties": {
        "feed": {"enum": list(FEEDS), "default": "products"},
        "mode": {"enum": list(FORCE_MODES), "default": "full",
                 "description": "full: read the whole feed and send what is new, changed or not delivered, and "
                                "deletions; no-reindex: resend the stored feed documents; failed: resend the rows "
                                "whose export failed"},
        "force": {**BOOLEAN, "description": "full only: send every item read, whatever the destination holds "
                                           "(default true: the Force sync button; false: as `catalog-sync resync`)"},
        "ids": {"type": "array", "minItems": 1, "maxItems": MAX_IDS,
                "items": {"anyOf": [{"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH},
                                    {"type": "integer", "minimum": 1}]},
                "description": "resync these items only (their ids: SKUs for products), each sent; not subject to "
                               "the cooldown but rate-limited; unknown ids are reported by the run"},
        "id_type": {"enum": list(ID_TYPES), "default": SKU, "description": "what ids are: the feed's own ids, "
                                                                          "or product ids"},
        "dry_run": {**BOOLEAN, "default": False, "description": "with ids: read and build as the run would, write "
                                                               "and send nothing; answered with the summary (200). "
                                                               "A whole feed's dry run is the CLI's "
                                                               "(`catalog-sync resync --dry-run`)"},
        "batch_size": {"type": "integer", "minimum": 1, "maximum": MAX_BATCH_SIZE,
                       "description": "items per batch for this run"},
        "thread_count": {"type": "integer", "minimum": 1, "maximum": MAX_THREADS,
                         "description": "the source's requests in flight for this run"}}}
    rate_limit = object_of({"seconds": COUNT, "available_at": TIME, "note": STRING})
    accepted = object_of({"run_id": STRING, "feed": {"enum": list(FEEDS)},
                        "mode": {"enum": [*FORCE_MODES, BY_IDS]}, "force": BOOLEAN,
                        "trigger": {"const": "force"}, "status": {"const": "In Progress"}, "started_at": TIME,
                        "cooldown_until": null({**TIME, "description": "null for a resync of selected items"}),
                        "ids": {**COUNT, "description": "the ids asked for"},
                        "rate_limit": ref("RateLimit")}, optional=("ids", "rate_limit"))
    rows = object_of({name: COUNT for name in ("read", "new", "changed", "unchanged", "deleted", "invalid")})
    send = object_of({"items": COUNT, "deletions": COUNT, "batches": COUNT, "bytes": COUNT})
    summary = object_of({"feed": {"enum": list(FEEDS)}, "mode": {"enum": list(MODES)}, "force": BOOLEAN,
                       "complete": {**BOOLEAN, "description": "false: the read stopped early (its time budget, or "
                                                              "the source failed: see error)"},
                       "error": null(STRING), "rows": rows, "send": send,
                       "unknown_ids": {"type": "array", "items": STRING},
                       "not_exported": null({**STRING, "description": "why nothing would be sent"})})
    dry = object_of({"dry_run": {"const": True},
                   "feeds": {"type": "object", "additionalProperties": ref("DryRunFeed")},
                   "rate_limit": ref("RateLimit")})
    return {"ForceSyncRequest": request, "ForceSyncAccepted": accepted, "RateLimit": rate_limit,
            "DryRunFeed": summary, "DryRun": dry,
            "Error": {**object_of({"Code": STRING, "Message": STRING}), "description": "what went wrong, in words"},
            "RunInFlight": {"allOf": [ref("Error"), object_of({
                "run_id": STRING, "available_at": null({**TIME, "description": "force sync is available once the "
                                                                               "run ends and not before this (the "
                                                                               "cooldown); null: once it ends"})})]},
            "CoolingDown": {"allOf": [ref("Error"), object_of({"available_at": TIME})]}}
