"""How a mutation runs a use case: build the command, give it a fresh unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql_api.context import Info

UseCase = Callable[..., Awaitable[Any]]


async def execute(info: Info, use_case: UseCase, make_command: Callable[[], Any]) -> Any:
    """Commands are built inside the caller's error handling, since building validates."""
    context = info.context
    return await use_case(make_command(), uow=context.unit_of_work(), clock=context.clock)
