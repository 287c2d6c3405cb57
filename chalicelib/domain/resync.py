"""A resync's options (Adobe's `saas:resync` and ours): which items it reads, which it sends, how; and the checks
that turn a bad combination or value into one message naming what is valid, the same for the CLI and the API."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .errors import InvalidRequestError

SKU, PRODUCT_ID = "sku", "productId"
ID_TYPES = (SKU, PRODUCT_ID)
MAX_IDS = 1000  # per run: a run record and a trigger message carry them
MAX_ID_LENGTH = 64  # Magento's SKU limit; attribute codes and category ids are shorter
MAX_PRODUCT_ID = 2**31 - 1
MAX_BATCH_SIZE = 1000  # items per batch (a message also stays under BATCH_MAX_BYTES)
MAX_THREADS = 16  # requests in flight to the source: a store's PHP workers are finite (MAGENTO_MAX_CONCURRENCY)


@dataclass(frozen=True)
class ResyncOptions:
    """How one run reads and sends, beyond its mode (everything defaults to the settings' behaviour)."""

    force: bool = False  # every item read is sent, whatever the destination already holds
    cleanup: bool = False  # the stored rows are rebuilt from scratch (deletions are still sent)
    ids: tuple[str, ...] = ()  # by ids: the items' ids (RowKey.id), or product ids as text (id_type productId)
    id_type: str = SKU
    batch_size: int | None = None  # items per batch for this run (None: the settings', else the feed's)
    thread_count: int | None = None  # the source's requests in flight for this run (None: the settings')
    resumes: tuple[str, ...] = ()  # the interrupted full resyncs this run continues, oldest first
    resume_from: str | None = None  # the source's position where the read resumes (None: from the start)
    first_read_at: str | None = None  # when the read it continues began (the watermark the whole read leaves)

    @property
    def product_ids(self) -> tuple[int, ...]:
        return tuple(int(i) for i in self.ids) if self.id_type == PRODUCT_ID else ()

    @property
    def skus(self) -> tuple[str, ...]:
        """The ids asked for by the feed's own identity (SKUs for the product feeds)."""
        return self.ids if self.id_type == SKU else ()

    def to_dict(self) -> dict[str, Any]:
        """What differs from the defaults, as JSON values (what a run record keeps)."""
        default = ResyncOptions()
        return {name: list(value) if isinstance(value, tuple) else value
                for name, value in asdict(self).items() if value != asdict(default)[name]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ResyncOptions:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
                  for name, value in (data or {}).items() if name in known}
        return cls(**values)


# How a caller names each option in its messages: the CLI's flags or the API's fields.
CLI_NAMES = {"ids": "--by-ids", "id_type": "--id-type", "force": "--force", "cleanup": "--cleanup-feed",
             "batch_size": "--batch-size", "thread_count": "--thread-count", "no-reindex": "--no-reindex",
             "failed": "--failed-only", "dry_run": "--dry-run", "continue": "--continue-resync"}
API_NAMES = {"ids": "ids", "id_type": "id_type", "force": "force", "cleanup": "cleanup", "batch_size": "batch_size",
             "thread_count": "thread_count", "no-reindex": 'mode "no-reindex"', "failed": 'mode "failed"',
             "dry_run": "dry_run", "continue": "continue"}


def parse_ids(values: Iterable[Any], id_type: str, names: Mapping[str, str] = CLI_NAMES) -> tuple[str, ...]:
    """The ids asked for, trimmed and without repeats (in their order), or InvalidRequestError saying what is valid."""
    if id_type not in ID_TYPES:
        raise InvalidRequestError(f"unknown {names['id_type']} {str(id_type)[:40]!r}; valid: {', '.join(ID_TYPES)}")
    ids: dict[str, None] = {}
    for value in values:
        ids[_one_id(value, id_type, names)] = None
    if not ids:
        raise InvalidRequestError(f"{names['ids']} needs at least one id (at most {MAX_IDS:,})")
    if len(ids) > MAX_IDS:
        raise InvalidRequestError(f"{names['ids']} takes at most {MAX_IDS:,} ids; got {len(ids):,}")
    return tuple(ids)


def _one_id(value: Any, id_type: str, names: Mapping[str, str]) -> str:
    if id_type == PRODUCT_ID:
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not text.isdigit() or not 1 <= int(text) <= MAX_PRODUCT_ID:
            raise InvalidRequestError(f"{names['ids']} with {names['id_type']} {PRODUCT_ID} takes positive whole "
                                      f"numbers; got {str(value)[:40]!r}")
        return str(int(text))
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_ID_LENGTH or not text.isprintable():
        raise InvalidRequestError(f"{names['ids']} takes non-empty ids of at most {MAX_ID_LENGTH} printable "
                                  f"characters; got {str(value)[:80]!r}")
    return text


def bounded(value: Any, name: str, maximum: int) -> int:
    """A whole number from 1 to ``maximum``, or InvalidRequestError naming the range."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise InvalidRequestError(f"{name} must be a whole number from 1 to {maximum:,}; got {str(value)[:40]}")
    return value


def check(mode: str, options: ResyncOptions, product_keyed: bool, dry_run: bool = False,
          names: Mapping[str, str] = CLI_NAMES, continuing: bool = False) -> None:
    """Refuse what cannot be combined, naming the valid combination. ``mode``: full, no-reindex or failed (what the
    caller asked for before ids); ``product_keyed``: the feed's items can be asked for by product id;
    ``continuing``: the run continues an interrupted full resync."""
    continuing = continuing or bool(options.resumes)
    reading = mode not in ("no-reindex", "failed")
    if options.batch_size is not None:
        bounded(options.batch_size, names["batch_size"], MAX_BATCH_SIZE)
    if options.thread_count is not None:
        bounded(options.thread_count, names["thread_count"], MAX_THREADS)
    if not reading:
        given = [names[name] for name in ("ids", "force", "cleanup", "thread_count") if getattr(options, name)]
        if continuing:
            given.append(names["continue"])
        if given:
            raise InvalidRequestError(f"{' and '.join(given)} cannot be combined with {names[mode]}, which resends "
                                      "stored documents without reading the source (they need a resync that reads "
                                      "it)")
    if options.ids:
        clashing = [names[name] for name in ("cleanup",) if getattr(options, name)]
        if continuing:
            clashing.append(names["continue"])
        if clashing:
            raise InvalidRequestError(f"{names['ids']} cannot be combined with {' or '.join(clashing)}: those read "
                                      f"the whole feed; {names['ids']} reads only the items given")
        if options.id_type == PRODUCT_ID and not product_keyed:
            raise InvalidRequestError(f"{names['id_type']} {PRODUCT_ID} applies to the feeds whose items are "
                                      f"products' (products, variants, prices, inventoryStockStatus); use "
                                      f"{names['id_type']} {SKU} with this feed's own ids")
    if continuing and dry_run:
        raise InvalidRequestError(f"{names['dry_run']} cannot be combined with {names['continue']}: a dry run "
                                  "leaves nothing to continue from")
    if options.cleanup and continuing:
        raise InvalidRequestError(f"{names['cleanup']} cannot be combined with {names['continue']}: a cleanup "
                                  "rebuilds every row, from the start")
