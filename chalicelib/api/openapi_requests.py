"""The OpenAPI schemas of the request bodies (force sync, change events) and of GET /api/meta's lists.

The bodies are read by hand-written parsers (services/force.py ``parse_force_request``, domain/events.py
``parse_event``) that give a 400 naming what is wrong; these schemas describe the same fields, and their values and
bounds are the parsers' own constants. tests/unit/test_openapi_document.py holds the field names to the parsers'.
"""
from __future__ import annotations

from ..domain.events import LISTS, MAX_ENTRIES, MAX_SKU_LENGTH
from ..domain.feeds import FEEDS
from ..domain.resync import ID_TYPES, MAX_BATCH_SIZE, MAX_ID_LENGTH, MAX_IDS, MAX_THREADS, SKU
from ..domain.runs import FORCE_MODES
from ..domain.vocabulary import vocabulary
from .json_schema import Schema

BOOLEAN: Schema = {"type": "boolean"}


def force_sync_request() -> Schema:
    return {"type": "object", "additionalProperties": False, "properties": {
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


def change_event() -> Schema:
    skus = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": MAX_SKU_LENGTH}}
    return {"type": "object", "additionalProperties": False, "minProperties": 1,
            "description": f"at least one non-empty list, at most {MAX_ENTRIES} entries in all",
            "properties": {"feed": {"enum": list(FEEDS)}, LISTS[0]: skus,
                           LISTS[1]: {"type": "array", "items": {"type": "integer", "minimum": 1}}, LISTS[2]: skus}}


def meta() -> Schema:
    """GET /api/meta's answer is ``vocabulary()`` itself: its schema is made of it."""
    return {"type": "object", "additionalProperties": False, "required": list(vocabulary()), "properties": {
        name: {"type": "array", "items": {"enum": words}, "minItems": len(words), "uniqueItems": True}
        for name, words in vocabulary().items()}}
