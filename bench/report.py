"""Prints a benchmark's result and rewrites its generated block in BENCHMARKS.md."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from .common import Result, markdown_table

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = """# Benchmarks

Run all with `make bench` (`.venv/bin/python -m bench`), or some: `.venv/bin/python -m bench build requests`.
`--write` puts the figures into the generated block of each benchmark's section below; the notes under
each block are written by hand and kept. Performance goals are checked here, never in timed tests.
"""


def render(result: Result, command: str, machine: str) -> str:
    """The generated block: goal, command, machine, date, figures and verdict."""
    verdict = {True: "**met**", False: "**not met**", None: "n/a"}[result.met]
    parts = [
        f"- Goal: {result.goal}",
        f"- Command: `{command}`",
        f"- Machine: {machine}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Verdict: {verdict} — {result.verdict}",
        "",
        markdown_table(["metric", "value"], [list(m) for m in result.metrics]),
    ]
    for title, header, rows in result.tables:
        parts += ["", f"{title}:", "", markdown_table(header, rows)]
    return "\n".join(parts)


def show(result: Result, command: str, machine: str) -> None:
    print(f"\n== {result.name}: {result.title} ==")
    print(render(result, command, machine))


def write(result: Result, command: str, machine: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the benchmark's generated block (or append a new section with one)."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    begin, end = f"<!-- bench:{result.name}:begin -->", f"<!-- bench:{result.name}:end -->"
    block = f"{begin}\n{render(result, command, machine)}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + f"\n\n## `{result.name}` — {result.title}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
    print(f"(written to {path.name}, section `{result.name}`)")
