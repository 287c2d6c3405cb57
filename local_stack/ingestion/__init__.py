"""A simulated SaaS ingestion service (docs/ingestion-api.md) for `make run`, tests and benchmarks."""
from .faults import Faults
from .routes import BATCH_HEADER, QUERY_PATH
from .service import DEFAULT_API_KEY, DEFAULT_REASON, Delivery, IngestionService

__all__ = [
           "BATCH_HEADER",
           "DEFAULT_API_KEY",
           "DEFAULT_REASON",
           "QUERY_PATH",
           "Delivery",
           "Faults",
           "IngestionService",
]
