"""GraphQL's part of a request's record for /metrics: the operation's name."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from core.request_record import note_operation


class OperationRecorder(SchemaExtension):
    """Notes the name of the GraphQL operation about to execute: only a document that parsed
    and validated, from a caller that authenticated, gets this far."""

    def on_execute(self) -> Iterator[None]:
        note_operation(self.execution_context.operation_name)
        yield
