"""The CLI's progress from the first second: rows read (of the total where it is known), rate and time left while
the run reads, then batches; redrawn in place on a terminal, a line every few seconds otherwise, and always the
final state. And where the log lines go: nowhere, stderr (--verbose) or a file, never into the output."""
from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from .domain.runs import IN_PROGRESS, SyncRun
from .observability import logger

REDRAW_SECONDS = 0.25  # on a terminal
LINE_SECONDS = 5.0  # otherwise: a line this often (and the final state)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def reading_line(feed: str, seen: int, total: int | None, estimated: bool, elapsed: float) -> str:
    """'reading products: 1,200 of 6,000 rows (20%) · 2,400 rows/s · about 2 s left'."""
    rate = seen / elapsed if elapsed > 0 else 0.0
    parts = [f"reading {feed}: {seen:,}" + (f" of {'~' if estimated else ''}{total:,} rows "
                                             f"({min(100, 100 * seen // max(total, 1))}%)" if total else " rows")]
    if seen and elapsed >= 0.5:
        parts.append(f"{rate:,.0f} rows/s")
        if total and total > seen:
            parts.append(f"about {_duration((total - seen) / rate)} left")
    return " · ".join(parts)


def batches_line(run: SyncRun, elapsed: float, width: int = 30) -> str:
    """'[##########....................] 10/30 batches · 400 rows/s · about 20 s left'."""
    total, done = run.batches_total, run.batches_done + run.batches_failed
    if total is None:
        return f"reindexing… {done} batches exported so far"
    filled = width if total == 0 else width * done // total
    parts = [f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} batches"]
    settled = run.rows_exported + max(0, run.rows_failed - run.rows_invalid)
    if elapsed > 0 and settled:
        parts.append(f"{settled / elapsed:,.0f} rows/s")
    if 0 < done < total:
        parts.append(f"about {_duration((total - done) * elapsed / done)} left")
    return " · ".join(parts)


class ProgressLine:
    """One line of progress: redrawn in place on a terminal, else written when it changed and ``every`` seconds
    have passed (or when asked to, for the final state)."""

    def __init__(self, stream: TextIO, every: float | None = None):
        self.stream = stream
        self.interactive = stream.isatty()
        self.every = every if every is not None else (REDRAW_SECONDS if self.interactive else LINE_SECONDS)
        self._shown, self._at = "", float("-inf")

    def show(self, line: str, final: bool = False) -> None:
        now = time.monotonic()
        if line == self._shown or (not final and now - self._at < self.every):
            return
        if self.interactive:
            self.stream.write("\r" + line.ljust(len(self._shown)) + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._shown, self._at = ("" if final and self.interactive else line), now

    def end(self) -> None:
        """Leave the line as it is (a terminal's cursor goes to the next line)."""
        if self.interactive and self._shown:
            self.stream.write("\n")
            self.stream.flush()
        self._shown = ""


class ReadProgress:
    """Draws the read's progress from another thread while the run reads in this one (Ctrl-C reaches the run)."""

    def __init__(self, line: ProgressLine, run: SyncRun, total: Callable[[], tuple[int | None, bool]]):
        self._line, self._run, self._total = line, run, total
        self._stop = threading.Event()
        self._known: tuple[int | None, bool] = (None, False)
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._draw, name="progress", daemon=True)

    def __enter__(self) -> ReadProgress:
        threading.Thread(target=self._count, name="progress-total", daemon=True).start()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._line.show(self._text(), final=True)

    def _count(self) -> None:
        with contextlib.suppress(Exception):  # the total is a nicety: without it the line shows rows read
            self._known = self._total()

    def _text(self) -> str:
        total, estimated = self._known
        return reading_line(self._run.feed, self._run.rows_seen, total, estimated, time.monotonic() - self._started)

    def _draw(self) -> None:
        while True:
            self._line.show(self._text())
            if self._stop.wait(REDRAW_SECONDS):
                return


def follow_export(run: SyncRun, poll: Callable[[str], SyncRun | None], line: ProgressLine, deadline: float,
                  started: float) -> SyncRun:
    """Poll the run until it ends or ``deadline`` (monotonic); the last line shown is its state at the end."""
    while run.status == IN_PROGRESS and time.monotonic() < deadline:
        line.show(batches_line(run, time.monotonic() - started))
        time.sleep(0.2)
        run = poll(run.run_id) or run
    line.show(batches_line(run, time.monotonic() - started), final=True)
    line.end()
    return run


@contextlib.contextmanager
def log_lines(verbose: bool, log_file: str | None) -> Iterator[None]:
    """The service's log lines to a file, to stderr (verbose) or nowhere, for the command's length; never stdout."""
    handler = logger.registered_handler
    stream = getattr(handler, "stream", None)
    level = handler.level
    sink: TextIO | None = open(log_file, "a", encoding="utf-8") if log_file else None  # noqa: SIM115
    target = sink or (sys.stderr if verbose else None)
    others = logging.StreamHandler(target) if target else logging.NullHandler()  # what libraries log
    others.setLevel(logging.WARNING)
    logging.getLogger().addHandler(others)
    if isinstance(handler, logging.StreamHandler):
        if target is None:
            handler.setLevel(logging.CRITICAL + 1)
        else:
            handler.setStream(target)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(others)
        handler.setLevel(level)
        if isinstance(handler, logging.StreamHandler) and stream is not None:
            handler.setStream(stream)
        if sink is not None:
            sink.close()
