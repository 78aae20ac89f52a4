"""The live progress bar of `findings ingest`: files done / found, files/s, ETA, failures so far."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from flows.ingest import IngestReport


class ProgressBar:
    """A rich progress bar on `terminal`, updated from an `IngestReport`; does nothing when disabled."""

    def __init__(self, terminal: IO[str], *, enabled: bool) -> None:
        self.enabled = enabled
        self._terminal = terminal
        self._progress = None
        self._task = None

    def __enter__(self) -> ProgressBar:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[failed]} failed"),
            console=Console(file=self._terminal),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("ingest", total=None, rate="", failed=0)
        return self

    def update(self, report: IngestReport) -> None:
        """Show what `report` says so far."""
        if self._progress is None or self._task is None:
            return
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = f"{report.done / elapsed:.1f} files/s" if elapsed > 1 else ""
        self._progress.update(self._task, total=report.found or None, completed=report.done, rate=rate,
                              failed=report.failed)

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
