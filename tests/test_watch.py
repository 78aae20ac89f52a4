"""`findings watch INBOX --every`: a served Prefect deployment ingests what arrives, and stops cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psutil
import pytest

from flows.watch import deployment_name, parse_interval

from .conftest import SEEDS, require_shared, stored_documents

FINDINGS = str(Path(sys.executable).with_name("findings"))


@pytest.mark.parametrize(("text", "expected"), [
    ("10m", timedelta(minutes=10)), ("30s", timedelta(seconds=30)), ("2h", timedelta(hours=2)),
    ("1d", timedelta(days=1)), ("15", timedelta(minutes=15)),
])
def test_intervals(text, expected):
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", ["", "0m", "ten minutes", "5 weeks", "-3m"])
def test_bad_intervals_are_refused(text):
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


def test_each_inbox_has_its_own_deployment(tmp_path):
    (tmp_path / "a" / "inbox").mkdir(parents=True)
    (tmp_path / "b" / "inbox").mkdir(parents=True)
    names = {deployment_name(tmp_path / "a" / "inbox"), deployment_name(tmp_path / "b" / "inbox")}
    assert len(names) == 2 and all(n.startswith("watch-inbox-") for n in names)


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.slow
def test_watch_ingests_files_as_they_arrive_and_stops_on_sigterm(tmp_path):
    require_shared()
    inbox, db = tmp_path / "inbox", tmp_path / "findings.db"
    inbox.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    watcher = subprocess.Popen([FINDINGS, "watch", str(inbox), "--every", "3s", "--db", str(db), "--workers", "1"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seeds = sorted(SEEDS.glob("*.txt"))
        shutil.copy(seeds[0], inbox / seeds[0].name)
        assert _wait_for(lambda: stored_documents(db) == 1, 240), watcher.stderr.read() if watcher.poll() else ""
        shutil.copy(seeds[1], inbox / seeds[1].name)
        assert _wait_for(lambda: stored_documents(db) == 2, 240)
        started = psutil.Process(watcher.pid).children(recursive=True)
    finally:
        watcher.send_signal(signal.SIGTERM)
        _, errors = watcher.communicate(timeout=60)
    assert "watching" in errors
    assert watcher.returncode in (0, -signal.SIGTERM, 143)
    _, alive = psutil.wait_procs(started, timeout=15)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
