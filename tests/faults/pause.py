"""`mujun` with a deterministic stop: `python -m tests.faults.pause ARGS...` runs `mujun ARGS`
but freezes at one point of the product code, so a test can SIGKILL it exactly there.

Some stages are too short to hit by polling (publish takes a fraction of a second; a
snapshot's commit a few milliseconds). The environment names the point:

    MUJUN_FAULT_PAUSE   module:function:before|after[:N]  - freeze before (or after) the
                        Nth call (default 1) of that function
    MUJUN_FAULT_MARKER  a file written (with this process's pid) when frozen

The product code is untouched: the function is wrapped in this process only.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from pathlib import Path


def install(spec: str, marker: Path) -> None:
    module_name, function_name, when, *nth = spec.split(":")
    if when not in ("before", "after"):
        raise SystemExit(f"MUJUN_FAULT_PAUSE: {when!r} is not before or after")
    module = importlib.import_module(module_name)
    original = getattr(module, function_name)
    target = int(nth[0]) if nth else 1
    calls = 0

    def freeze() -> None:
        marker.write_text(str(os.getpid()))
        while True:  # until the test's SIGKILL
            time.sleep(1)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == target and when == "before":
            freeze()
        result = original(*args, **kwargs)
        if calls == target and when == "after":
            freeze()
        return result

    setattr(module, function_name, wrapper)


def main() -> None:
    install(os.environ["MUJUN_FAULT_PAUSE"], Path(os.environ["MUJUN_FAULT_MARKER"]))
    from mujun.cli import app

    sys.exit(app(args=sys.argv[1:], prog_name="mujun"))


if __name__ == "__main__":
    main()
