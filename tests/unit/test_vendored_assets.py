"""The front-end files served by the app are the pinned npm releases, byte for byte, with
their licences: `make vendor` refreshes them, this test is `make vendor-check`."""

from __future__ import annotations

import re

from pages.assets import vendored
from tools.vendor_assets import PINS, VENDOR, problems


def test_vendored_files_match_their_integrity_hashes_and_pins() -> None:
    assert problems() == []


def test_every_pinned_package_keeps_its_licence() -> None:
    for name, (version, _files) in PINS.items():
        folder = VENDOR / f"{name}-{version}"
        assert any((folder / f).is_file() for f in ("LICENSE", "LICENSE.md")), name


def test_pages_link_vendored_files_with_their_integrity() -> None:
    asset = vendored("graphiql", "graphiql.min.js")
    assert asset.url == "/static/vendor/graphiql-3.8.3/graphiql.min.js"
    assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", asset.integrity)
