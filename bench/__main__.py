"""Command line: `python -m bench [name ...] [--rows N] [--write]`."""
from __future__ import annotations

import argparse
import shlex
import sys

from . import BENCHMARKS
from .common import fake_aws_env, machine
from .report import show, write


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run: {', '.join(BENCHMARKS)} "
                        "(default: all)")
    parser.add_argument("--rows", type=int, help="catalog rows (default: each benchmark's own)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions where a benchmark repeats")
    parser.add_argument("--exporters", type=int, default=2, help="exporter threads of the stack benchmark")
    parser.add_argument("--moto-fix", action="store_true",
                        help="stack: run moto as the local stack does (local_stack.moto_patched: "
                        "its DynamoDB fixes; recorded as its own section, stack-motofix)")
    parser.add_argument("--latency", type=lambda text: [int(v) for v in text.split(",")],
                        help="magento: milliseconds the simulated store takes per request, e.g. 0,50,100 (default)")
    parser.add_argument("--concurrency", type=lambda text: [int(v) for v in text.split(",")],
                        help="magento: MAGENTO_CONCURRENCY values of the latency runs (default 8,16)")
    parser.add_argument("--scaled", type=int, help="magento: products of the latency runs (default 5,000; "
                        "their wall time is scaled to 100,000)")
    parser.add_argument("--engines", type=lambda text: text.split(","),
                        help="search: the engines to compare, e.g. memory (default memory,sqlite)")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md with the figures")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    command = " ".join([".venv/bin/python -m bench", *map(shlex.quote, argv)])
    for name in args.names or list(BENCHMARKS):
        fake_aws_env()
        where = machine()  # the load average is the one at the start of this benchmark
        print(f"running {name} ...", flush=True)
        result = BENCHMARKS[name].run(args)
        show(result, command, where)
        if args.write:
            write(result, command, where)
    return 0  # a missed goal is a finding, reported above, not a failure of the command


if __name__ == "__main__":
    sys.exit(main())
