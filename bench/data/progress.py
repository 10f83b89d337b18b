"""One updating line of progress on stderr: appeals done, rows written, rows per second, ETA."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, *, enabled: bool = True, stream=None):
        self.total = max(total, 1)
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.elapsed = 0.0

    def update(self, done: int, rows: int) -> None:
        self.elapsed = time.monotonic() - self.started
        if not self.enabled:
            return
        rate = rows / self.elapsed if self.elapsed else 0
        share = done / self.total
        eta = self.elapsed * (1 - share) / share if share else 0
        self.stream.write(f"\r{done:>12,} / {self.total:,} appeals ({share:6.1%})  {rows:>13,} rows  "
                          f"{rate:>9,.0f} rows/s  ETA {_clock(eta)}   ")
        self.stream.flush()

    def finish(self, done: int, rows: int) -> None:
        self.update(done, rows)
        if self.enabled:
            self.stream.write("\n")


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s"
