"""The typed keys under which the aiohttp application holds what app.py wires."""

from __future__ import annotations

from aiohttp import web

from domain.ports import Clock
from graphql_api.pubsub import EventHub
from persistence.database import Database

DB_KEY = web.AppKey("db", Database)
CLOCK_KEY = web.AppKey("clock", Clock)
HUB_KEY = web.AppKey("hub", EventHub)
