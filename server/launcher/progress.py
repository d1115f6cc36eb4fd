"""A plain progress bar on stderr: `\r[#####.........] 12/40`, redrawn in place."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    def __init__(self, *, width: int = 30, stream: TextIO | None = None) -> None:
        self.width = width
        self.stream = stream or sys.stderr
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line, so what is printed next starts on a line of its own."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
