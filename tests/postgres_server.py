"""A throwaway PostgreSQL cluster on loopback for the tests marked `postgres`.

`postgres_cluster` (session) runs initdb into a temporary folder with the
Debian server binaries (/usr/lib/postgresql/*/bin, installed by
scripts/start-postgres.sh) and starts it on a free port; `postgres_url` gives
each test its own fresh database as a `postgresql+psycopg://` URL. initdb
refuses to run as root, so as root the server runs as the `postgres` system
user. Without the binaries or psycopg the tests fail under CI and skip only
on a developer's machine.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER_USER = "postgres"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run: {reason} (run scripts/start-postgres.sh)")
    pytest.skip(f"PostgreSQL tests skipped: {reason} (run scripts/start-postgres.sh)")


def find_bin_dir() -> Path | None:
    """The newest PostgreSQL server bin folder ($PG_BIN, Debian's layout, or on PATH)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if candidates:
        newest = max(candidates, key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
                     else 0)
        return Path(newest).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    """A running cluster: where it lives and how to reach it."""

    bin_dir: Path
    root: Path
    port: int
    as_root: bool

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a server binary, as the `postgres` user when we are root."""
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120,
                              cwd=self.root)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def start(self, attempts: int = 3) -> None:
        """initdb, then pg_ctl start; another free port if the chosen one was taken meanwhile."""
        self.run("initdb", "-D", str(self.data_dir), "-U", SERVER_USER, "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        for attempt in range(attempts):
            options = (f"-k {self.root} -c listen_addresses=127.0.0.1 -p {self.port} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            try:
                self.run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
                         "-o", options, "-w", "-t", "60", "start")
                return
            except subprocess.CalledProcessError:
                if attempt == attempts - 1:
                    raise
                self.port = _free_port()

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False)

    def create_database(self, name: str) -> None:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SERVER_USER, name)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL server on 127.0.0.1 for this test session, removed afterwards."""
    bin_dir = find_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        _unavailable("no PostgreSQL server binaries (initdb) found")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed")
    as_root = os.geteuid() == 0
    # Under /tmp itself: pytest's tmp_path sits in a folder only root may enter.
    root = Path(tempfile.mkdtemp(prefix="findings-pg-"))
    if as_root:
        shutil.chown(root, user=SERVER_USER, group=SERVER_USER)
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=_free_port(), as_root=as_root)
    try:
        try:
            cluster.start()
        except subprocess.CalledProcessError as exc:
            pytest.fail(f"PostgreSQL did not start: {exc.stderr}\n{cluster.log()}")
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh, empty database on the session's cluster."""
    name = f"findings_{uuid.uuid4().hex[:12]}"
    postgres_cluster.create_database(name)
    return postgres_cluster.url(name)
