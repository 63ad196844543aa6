"""`returns-api --help` is for the operator: every command, each with its one-line
description beside its name, and none of the module's notes for its developers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (
    "serve",
    "migrate",
    "export-schema",
    "auto-close",
    "seed-demo",
    "create-tenant",
    "create-api-key",
    "revoke-api-key",
)


def _help(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ops.cli", *args, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"COLUMNS": "80"},
    )
    return done.stdout


def test_help_lists_every_command_with_its_description_on_one_line() -> None:
    text = _help()

    described = dict(re.findall(r"^ {2,}([a-z-]+) {2,}(\S.*)$", text, flags=re.MULTILINE))
    assert set(COMMANDS) <= set(described), text
    assert all(len(described[name].split()) >= 3 for name in COMMANDS), described


def test_help_shows_no_notes_meant_for_developers() -> None:
    text = _help()

    assert "imports what it needs" not in text and "strawberry" not in text
    assert "`returns-api serve | migrate" not in text


def test_each_commands_own_help_says_what_it_does() -> None:
    for name in COMMANDS:
        usage, _, rest = _help(name).partition("\n\n")
        assert usage.startswith(f"usage: returns-api {name}")
        assert rest.split("\n")[0].endswith("."), (name, rest)
