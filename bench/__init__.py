"""Catalog Sync benchmarks: `python -m bench [name ...]` (see BENCHMARKS.md)."""
from __future__ import annotations

from .common import fake_aws_env

fake_aws_env()  # before chalicelib (Powertools reads its environment at import)

from . import (  # noqa: E402
    aws_requests,
    build,
    exporter,
    first_sync,
    local_stack_use,
    magento_pull,
    partial,
    prices_stock,
    products_query,
    readback,
    reconcile,
    search_engines,
    stack,
)

BENCHMARKS = {module.NAME: module for module in (build, aws_requests, partial, stack, magento_pull, prices_stock,
                                                  exporter, products_query, search_engines, readback, reconcile,
                                                  local_stack_use, first_sync)}
