"""GraphQL's part of a request's record for /metrics: the operation's name."""

from __future__ import annotations

from core.request_record import note_operation
from graphql_api.policies import Operation, Policy


class OperationRecorder(Policy):
    """Notes the name of the GraphQL operation about to execute: only a document that parsed
    and validated, from a caller that authenticated, gets this far."""

    def before(self, operation: Operation) -> None:
        note_operation(operation.name)
