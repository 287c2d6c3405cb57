"""`python -m local_stack` (what `make run` runs): start the embedded local stack."""
from .stack import main

raise SystemExit(main())
