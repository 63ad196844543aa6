"""One Jinja2 environment for every page (aiohttp-jinja2): autoescaping on, undefined names
an error, the asset helpers pages use to link files with their integrity hashes, and the
`isolate` filter that keeps a value's own direction on a right-to-left page (bidi.py)."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from pages.assets import own, vendored
from pages.bidi import isolate

FOLDERS = [
    Path(__file__).parent / "templates",
    Path(__file__).parent / "portal" / "templates",
]


def setup_templates(app: web.Application) -> jinja2.Environment:
    environment = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader([str(folder) for folder in FOLDERS]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(vendored=vendored, own=own)
    environment.filters["isolate"] = isolate
    return environment
