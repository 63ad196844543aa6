"""Fixtures of the REST shim tests (the client itself is in carriyo_client.py)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.rest.carriyo_client import Carriyo


@pytest.fixture
def carriyo(http: TestClient) -> Carriyo:
    return Carriyo(http)
