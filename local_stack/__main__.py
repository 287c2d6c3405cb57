"""`python -m local_stack` (what `make run` runs): start the embedded local stack."""
import logging
import os
import sys

from .stack import main

code = main()
# Stopped: moto and the servers are gone and the output is flushed. Tearing down the interpreter's objects would
# only add seconds before the shell prompt comes back.
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
