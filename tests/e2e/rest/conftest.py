"""Fixtures of the REST shim tests (the Carriyo client is in carriyo_client.py, the OTO scene
in oto_support.py)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.rest.carriyo_client import Carriyo
from tests.e2e.rest.oto_support import oto

__all__ = ["carriyo", "oto"]


@pytest.fixture
def carriyo(http: TestClient) -> Carriyo:
    return Carriyo(http)
