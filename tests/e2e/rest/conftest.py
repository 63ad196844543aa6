"""Fixtures of the REST shim tests (each shim's scene-setting lives in its support module)."""

from tests.e2e.rest.oto_support import oto

__all__ = ["oto"]
