"""The first ten minutes: `returns-api --help` answers at once, and `make run` migrates once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("strawberry", "aiohttp", "sqlalchemy", "sqlmodel", "alembic", "pydantic")
PROBE = f"""
import contextlib, io, json, sys
from ops.cli import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main(["--help"])
heavy = {HEAVY!r}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def test_help_imports_none_of_the_heavy_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []


def test_the_installed_command_answers_help_without_the_heavy_libraries() -> None:
    """What keeps `returns-api --help` instant (about a tenth of a second; importing the
    libraries above takes seconds), checked on the command a newcomer types, through its
    entry point, by what it imports rather than by a stopwatch a busy machine fools."""
    script = Path(sys.executable).with_name("returns-api")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ops.cli"]
    done = subprocess.run(
        [*command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert "usage" in done.stdout.lower()
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "ops.cli" in imported, "the import log must list the command's own modules"
    assert sorted(m for m in imported if m.split(".")[0] in HEAVY) == []


def test_make_run_migrates_only_as_the_server_starts() -> None:
    """Before, `make run` ran `returns-api migrate` and then the server migrated again."""
    done = subprocess.run(
        ["make", "-n", "run", f"STAMP={os.devnull}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = done.stdout
    assert "returns-api migrate" not in commands
    assert commands.count("returns-api serve") == 1
    assert "RETURNS_MIGRATE_ON_START=true" in commands
