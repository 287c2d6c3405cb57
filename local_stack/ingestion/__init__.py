"""A simulated SaaS ingestion service (docs/ingestion-api.md) for `make run`, tests and benchmarks."""
from .faults import Faults
from .feeds import IDENTITIES
from .reads import QUERY_PATH
from .routes import BATCH_HEADER
from .service import DEFAULT_API_KEY, DEFAULT_PATH, DEFAULT_REASON, Delivery, IngestionService

__all__ = [
           "BATCH_HEADER",
           "DEFAULT_API_KEY",
           "DEFAULT_PATH",
           "DEFAULT_REASON",
           "IDENTITIES",
           "QUERY_PATH",
           "Delivery",
           "Faults",
           "IngestionService",
]
