"""README and `findings --help` stay in step (every command is documented)."""

import re

from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT


def commands():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    return re.findall(r"│ (\w[\w-]*)\s{2,}\S", result.output)


def test_help_lists_every_command_with_a_purpose():
    names = commands()
    assert {"extract", "ingest", "query", "show", "evaluate", "train"} <= set(names)


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in commands():
        assert f"findings {name}" in readme, name


def test_readme_has_the_two_setup_commands_on_lines_of_their_own():
    lines = [line.strip() for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()]
    assert "make run" in lines and "make test" in lines
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_option_of_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for name in commands():
        result = CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
        for option in set(re.findall(r"(--[a-z][a-z-]+)", result.output)) - {"--help"}:
            if option not in readme:
                missing.append(f"findings {name} {option}")
    assert missing == []
