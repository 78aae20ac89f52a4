"""`pip install .` (not editable) into a fresh venv: `findings ingest` works from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS, require_shared

pytestmark = pytest.mark.slow


def test_an_installed_wheel_ingests_from_any_folder_with_its_shipped_model(tmp_path):
    require_shared()
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                    *map(str, wheels.glob("*.whl"))], check=True, capture_output=True)
    # The dependencies come from the project's environment; the package itself only from the wheel.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    env.pop("FINDINGS_MODEL", None)
    where = subprocess.run([str(python), "-c", "import pipeline.classify.model as m; print(m.model_path())"],
                           cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(str(venv)) and Path(where).is_file()
    inbox = tmp_path / "elsewhere" / "inbox"
    inbox.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, inbox / seed.name)
    done = subprocess.run([str(venv / "bin" / "findings"), "ingest", "inbox", "--db", "out.db", "--workers", "1"],
                          cwd=inbox.parent, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "2 stored" in done.stdout and (inbox.parent / "out.db").is_file()
    # The workbench's templates and stylesheet ship too: its pages render from the installed copy.
    page = subprocess.run(
        [str(python), "-c", "import pipeline.web.app as w; from fastapi.testclient import TestClient;"
         "from pipeline.store.database import open_database;"
         "c = TestClient(w.create_app(open_database('sqlite:///out.db', create=False)));"
         "print(w.__file__, c.get('/findings').status_code, c.get('/static/style.css').status_code)"],
        cwd=inbox.parent, env=env, check=True, capture_output=True, text=True, timeout=300).stdout.split()
    assert page[0].startswith(str(venv)) and page[1:] == ["200", "200"]
