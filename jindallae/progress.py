"""Progress of a long run, phase by phase, for a terminal and for a log.

A run (a build, a deploy) is a sequence of phases: reading, rendering, writing, images, posters,
the search index. :class:`Progress` times each one and tells the user what is happening:

* on a terminal (``mode="bar"``) a tqdm bar per phase that clears itself when the phase ends;
* in a log, under CI or the CMS (``mode="lines"``) one line per finished phase, no carriage
  returns: ``  posters: 42 posters (40 cached, 2 rendered) in 3.1 s``;
* ``mode="off"``: nothing shown, timings still kept.

The timings are kept in order (``timings``: phase name -> seconds) and :meth:`slowest` names
the phase that took the time, for the closing summary line.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import IO, Iterator


class Phase:
    """One running phase: count work with :meth:`update`; ``note`` adds detail to its line."""

    def __init__(self, name: str, total: int | None, unit: str, bar=None) -> None:
        self.name, self.total, self.unit, self.bar = name, total, unit, bar
        self.done = 0
        self.note = ""

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units done."""
        self.done += n
        if self.bar is not None:
            self.bar.update(n)


class Progress:
    """Phase timings and their display (see the module docstring).

    ``mode``: ``"bar"``, ``"lines"``, ``"off"``, or ``None`` for ``"bar"`` when ``stream`` is a
    terminal and ``"lines"`` otherwise. ``stream`` defaults to standard error.
    """

    def __init__(self, mode: str | None = None, stream: IO[str] | None = None, prefix: str = "") -> None:
        self.stream = stream or sys.stderr
        if mode is None:
            mode = "bar" if _isatty(self.stream) else "lines"
        if mode not in ("bar", "lines", "off"):
            raise ValueError(f"progress mode must be bar, lines or off, not {mode!r}")
        self.mode = mode
        self.prefix = prefix
        self.timings: dict[str, float] = {}
        self._open: list[list[float]] = []  # per open phase: seconds of the phases inside it

    @contextmanager
    def phase(self, name: str, total: int | None = None, unit: str = "page") -> Iterator[Phase]:
        """Time the ``with`` block as phase ``name`` (``total`` units of ``unit`` expected).

        A phase that raises is timed and shown as failed, and the exception propagates. Two
        phases with one name add up. A phase opened inside another counts for itself only: the
        outer phase's time is what is left (its own work), so the timings add up to the run.
        """
        bar = None
        if self.mode == "bar":
            from tqdm import tqdm

            bar = tqdm(total=total, desc=name, unit=unit, leave=False, file=self.stream)
        phase = Phase(name, total, unit, bar)
        started = time.perf_counter()
        self._open.append([0.0])
        failed = True
        try:
            yield phase
            failed = False
        finally:
            elapsed = time.perf_counter() - started
            seconds = elapsed - self._open.pop()[0]
            if self._open:
                self._open[-1][0] += elapsed
            self.timings[name] = self.timings.get(name, 0.0) + seconds
            if bar is not None:
                bar.close()
            if self.mode != "off":
                self._line(phase, seconds, failed)

    def record(self, name: str, seconds: float) -> None:
        """Add ``seconds`` to phase ``name`` without showing a line (work timed elsewhere)."""
        self.timings[name] = self.timings.get(name, 0.0) + seconds

    def slowest(self) -> tuple[str, float] | None:
        """The phase that took longest, as ``(name, seconds)``; ``None`` before any phase."""
        if not self.timings:
            return None
        name = max(self.timings, key=self.timings.__getitem__)
        return name, self.timings[name]

    def _line(self, phase: Phase, seconds: float, failed: bool) -> None:
        count = ""
        if phase.done or phase.total:
            n = phase.done if phase.done else phase.total
            count = f"{n} {phase.unit}{'' if n == 1 else 's'}"
        detail = ", ".join(x for x in (count, phase.note) if x)
        state = " FAILED" if failed else ""
        text = f"{self.prefix}{phase.name}:{state} {detail + ' ' if detail else ''}in {seconds:.1f} s"
        print(text, file=self.stream, flush=True)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def phase(progress: Progress | None, name: str, total: int | None = None, unit: str = "page") -> Iterator[Phase]:
    """:meth:`Progress.phase` of ``progress``, or an unshown :class:`Phase` when it is ``None``
    (plugins run without a build driver in some tests)."""
    if progress is None:
        yield Phase(name, total, unit)
    else:
        with progress.phase(name, total, unit) as p:
            yield p
