"""A simulated Magento 2 REST server (the official schema's catalog endpoints) for `make run`, tests and benchmarks."""
from .auth import Integration
from .faults import Faults
from .simulator import MagentoSimulator, ManualClock, RequestRecord

__all__ = ["Faults", "Integration", "MagentoSimulator", "ManualClock", "RequestRecord"]
