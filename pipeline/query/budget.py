"""Time limits on optional queries, and their completion in the background.

A page must come back quickly whatever the database holds; what it can do
without (a facet's counts, an overview table) runs under a time budget, as
Datasette's facets do. A statement that runs past the budget is interrupted
(SQLite's progress handler; PostgreSQL's statement_timeout) and the page
shows that part as still being counted; the same work is then done once in
the background, without a limit, and cached for the next request.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)


class OutOfTime(Exception):
    """A budgeted statement ran past its budget and was interrupted."""


class Budget:
    """Seconds left for the optional queries of one request (None: no limit)."""

    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    @contextlib.contextmanager
    def applied(self, conn: Connection) -> Iterator[None]:
        """Run the statements of the block under what is left; OutOfTime when it runs out."""
        left = self.left()
        if left is None:
            yield
            return
        if left <= 0:
            raise OutOfTime
        if conn.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            deadline = self.deadline
            raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 2_000)
            try:
                yield
            except OperationalError as exc:
                if "interrupted" in str(exc):
                    raise OutOfTime from exc
                raise
            finally:
                raw.set_progress_handler(None, 0)
        elif conn.dialect.name == "postgresql":
            savepoint = conn.begin_nested()
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}")
            try:
                yield
            except DBAPIError as exc:
                savepoint.rollback()
                if "statement timeout" in str(exc) or "canceling statement" in str(exc):
                    raise OutOfTime from exc
                raise
            else:
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
                savepoint.commit()
        else:
            yield


class ResultCache:
    """Results keyed by (what, filter, database state): a small LRU shared by the server's threads."""

    def __init__(self, size: int = 512) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


class Background:
    """One thread that finishes interrupted work, each piece once (by key)."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="findings-background")
        self.pending: set[Any] = set()
        self.lock = threading.Lock()

    def submit(self, key: Any, work: Callable[[], Any]) -> None:
        with self.lock:
            if key in self.pending:
                return
            self.pending.add(key)

        def run() -> None:
            try:
                work()
            except Exception:  # noqa: BLE001 - a failed background count only leaves the cache empty
                log.exception("background count failed")
            finally:
                with self.lock:
                    self.pending.discard(key)

        self.executor.submit(run)

    def wait(self) -> None:
        """Until everything submitted so far is done (for tests and benchmarks)."""
        self.executor.submit(lambda: None).result()


CACHE = ResultCache()
BACKGROUND = Background()


def remembered(key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`, or what it gave for the same key before (put the database's state in the key)."""
    if (value := CACHE.get(key)) is None:
        value = compute()
        CACHE.put(key, value)
    return value


def remembered_or_counting(key: Any, compute: Callable[[], Any]) -> Any:
    """What `compute()` gave for `key` before, else None while it is computed once in the background."""
    if (value := CACHE.get(key)) is None:
        BACKGROUND.submit(key, lambda: CACHE.put(key, compute()))
    return value
