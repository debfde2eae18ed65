"""The progress bar of long runs (training, downloads): tqdm when it is installed, else one
line on stderr rewritten in place, so a terminal or a log shows a single line, not thousands.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Optional

#: Units spelled out in the plain one-line fallback, where tqdm's short forms would puzzle.
_UNIT_NAMES = {"B": "bytes", "it": "iterations"}


class ProgressBar:
    """A bar counting up to ``total`` (None when unknown), labelled ``desc``.

    ``update(done)`` moves it to ``done`` (an absolute count, not an increment); ``close()``
    ends it, leaving the last line on screen when ``leave`` is true and erasing it otherwise.
    """

    def __init__(self, total: Optional[int], desc: str, unit: str = "it",
                 unit_scale: bool = False, leave: bool = False) -> None:
        self.total, self.desc, self.unit, self.leave = total, desc, unit, leave
        self.done = 0
        self._line = ""
        self._bar: Any = None
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self._bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, leave=leave,
                         dynamic_ncols=True, file=sys.stderr)

    def update(self, done: int, **postfix: float) -> None:
        """Move to ``done``; finite ``postfix`` values (say ``E_in=0.12``) show beside tqdm's bar."""
        if self._bar is not None:
            self._bar.update(done - self.done)
            shown = {k: f"{v:.4g}" for k, v in postfix.items() if math.isfinite(v)}
            if shown:
                self._bar.set_postfix(shown, refresh=False)
        else:
            unit = _UNIT_NAMES.get(self.unit, self.unit)
            if self.total:
                self._line = f"{self.desc}: {100 * done // self.total:3d}% of {self.total} {unit}"
            else:
                self._line = f"{self.desc}: {done} {unit}"
            sys.stderr.write("\r" + self._line)
            sys.stderr.flush()
        self.done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.leave:
            sys.stderr.write("\n")
        else:
            sys.stderr.write("\r" + " " * len(self._line) + "\r")
        sys.stderr.flush()
