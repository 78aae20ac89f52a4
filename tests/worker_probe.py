"""What the worker-pool tests run in worker processes (this module imports no Prefect)."""

from __future__ import annotations

import os
import sys
import time


def state() -> tuple[int, bool]:
    """This process, and whether it imported Prefect."""
    return os.getpid(), "prefect" in sys.modules


def die() -> None:
    """End this process at once, as a crash in a native library does."""
    os._exit(70)


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
