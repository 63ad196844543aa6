"""The GraphQL schema: every area's queries and mutations, plus `node(id)`."""

from __future__ import annotations

import copy
import functools
import logging

import strawberry
from graphql import GraphQLError, GraphQLSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from core.global_ids import from_global_id
from core.request_record import GRAPHQL, INTERNAL, note_error
from domain.errors import DomainError
from edge.logs import without_values
from graphql_api import graphql_core_patches, input_builders
from graphql_api.api_clients.resolvers import ApiClientMutations, ApiClientQueries
from graphql_api.common import Node
from graphql_api.context import Info
from graphql_api.documents import DocumentCache
from graphql_api.errors import MaskedErrors, should_mask
from graphql_api.events.log_position import EventLogPositionQueries
from graphql_api.events.queries import EventQueries
from graphql_api.events.subscriptions import EventSubscriptions
from graphql_api.exchanges.mutations import ExchangeMutations
from graphql_api.exchanges.queries import ExchangeQueries
from graphql_api.guards import ReadOnlyGuard
from graphql_api.insights.queries import InsightQueries
from graphql_api.limits import GraphQLLimits, limit_policies
from graphql_api.merchants.fee_rules import FeeRuleMutations, FeeRuleQueries
from graphql_api.merchants.mutations import ReferenceCodeMutations, SettingsMutations
from graphql_api.merchants.portal import PortalSettingsMutations, PortalSettingsQueries
from graphql_api.merchants.queries import MerchantQueries
from graphql_api.merchants.types import REFERENCE_TYPES
from graphql_api.messages.resolvers import CustomerMessageMutations, CustomerMessageQueries
from graphql_api.notifications.queries import NotificationQueries
from graphql_api.operation_metrics import OperationRecorder
from graphql_api.orders.mutations import OrderMutations
from graphql_api.orders.queries import OrderQueries
from graphql_api.orders.types import OrderType, parse_order_local_id
from graphql_api.planned_executor import ExecutionCounts, PlannedExecutor, executor_class
from graphql_api.policies import Policies, Policy
from graphql_api.returns.columns import request_columns
from graphql_api.returns.mutations import ReturnMutations
from graphql_api.returns.queries import ReturnQueries
from graphql_api.returns.quote import QuoteQueries
from graphql_api.returns.status_counts import StatusCountQueries
from graphql_api.returns.types import ReturnRequestType
from graphql_api.scalars import SCALAR_OVERRIDES
from graphql_api.staff.resolvers import StaffMutations, StaffQueries
from graphql_api.store_credit.mutations import StoreCreditMutations
from graphql_api.store_credit.queries import StoreCreditQueries
from graphql_api.store_credit.types import ACCOUNT, AccountType
from graphql_api.viewer import ViewerQueries
from graphql_api.webhooks.mutations import WebhookMutations
from graphql_api.webhooks.queries import WebhookQueries
from persistence import store_credit_reads

log = logging.getLogger(__name__)
graphql_core_patches.apply()


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when unknown.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(id)
        if decoded is None:
            return None
        type_name, local_id = decoded
        loaders = info.context.loaders
        if type_name == "ReturnRequest":
            columns, whole = request_columns(info)
            row = await loaders.request_row(local_id, columns)
            return ReturnRequestType.from_row(row, whole=whole) if row else None
        if type_name == "Order" and (key := parse_order_local_id(local_id)):
            order = await loaders.order_by_reference.load(key)
            return OrderType.from_domain(order) if order else None
        if type_name == ACCOUNT:
            async with info.context.db.reading() as reads:
                account = await store_credit_reads.account(reads, info.context.tenant_id, local_id)
            return AccountType.from_domain(account) if account else None
        return None


Query = merge_types(
    "Query",
    (
        ReturnQueries,
        StatusCountQueries,
        InsightQueries,
        EventQueries,
        EventLogPositionQueries,
        OrderQueries,
        MerchantQueries,
        FeeRuleQueries,
        QuoteQueries,
        PortalSettingsQueries,
        NotificationQueries,
        CustomerMessageQueries,
        WebhookQueries,
        StoreCreditQueries,
        ExchangeQueries,
        NodeQueries,
        ViewerQueries,
        StaffQueries,
        ApiClientQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        OrderMutations,
        ReturnMutations,
        ReferenceCodeMutations,
        SettingsMutations,
        FeeRuleMutations,
        PortalSettingsMutations,
        CustomerMessageMutations,
        WebhookMutations,
        StoreCreditMutations,
        ExchangeMutations,
        StaffMutations,
        ApiClientMutations,
    ),
)

Subscription = merge_types("Subscription", (EventSubscriptions,))


class ReturnsSchema(strawberry.Schema):
    """Logs a client's mistakes (syntax, validation, limits, a read-only key mutating) at
    INFO, and only what would be masked, the server's own failures, at ERROR."""

    documents: DocumentCache  # the parsed and validated query texts
    policies: Policies  # what every operation passes, on every path

    @property
    def executor(self) -> type[PlannedExecutor]:
        return self.execution_context_class  # type: ignore[return-value]

    @property
    def execution_counts(self) -> ExecutionCounts:
        """How this schema's operations ran (planned, fallback, graphql-core)."""
        return self.executor.counts

    def usage(self) -> dict[str, dict[str, int]]:
        """What /metrics shows of this schema (ops reads it; this layer knows no metrics):
        how operations ran, and how many query texts were answered from a document
        parsed and validated before (`prepared`) or parsed anew (`parsed`)."""
        cache = self.documents.cache
        return {
            "executions": dict(self.execution_counts),
            "documents": {"prepared": cache.hits, "parsed": cache.misses},
        }

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [error for error in errors if _server_failure(error)]
        for error in errors:
            if _server_failure(error):
                note_error(INTERNAL)
            else:
                code = _error_code(error)
                note_error(code)
                log.info("refused GraphQL request (%s): %s", code, without_values(error.message))
        super().process_errors(unexpected, execution_context)


def _error_code(error: GraphQLError) -> str:
    """The error's stable code; GraphQL's own syntax and validation errors have none."""
    code = (error.extensions or {}).get("code")
    if code is None and isinstance(error.original_error, DomainError):
        code = error.original_error.code
    return GRAPHQL if code is None else str(code)


def _server_failure(error: GraphQLError) -> bool:
    """An exception that is not one of ours, raised while executing a field (it has a path)
    or by a subscription's event stream (strawberry wraps those with neither path nor
    location). A bad scalar in the request fails validation at a location in the document
    and is the client's."""
    if not should_mask(error):
        return False
    return error.path is not None or not error.nodes


def standard_policies(limits: GraphQLLimits) -> list[Policy]:
    """The one list of what every operation passes, in order, on every path (POST's
    pipeline, strawberry's GET and websockets): add a new check here."""
    return [OperationRecorder(), *limit_policies(limits), ReadOnlyGuard(), MaskedErrors()]


@functools.cache
def _converted() -> ReturnsSchema:
    """The schema's types converted to graphql-core's, once per process: converting them is
    most of what building a schema costs (about a second of CPU), and the test suite builds
    an app, hence a schema, for each of a thousand tests. Each `build_schema` shares these
    types and adds its own limits, policies, documents and executor."""
    converted = ReturnsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ReturnRequestType, OrderType, *REFERENCE_TYPES],
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=True),
        scalar_overrides=SCALAR_OVERRIDES,
    )
    input_builders.install(converted)
    return converted


def build_schema(
    limits: GraphQLLimits | None = None,
    *,
    compare_executors: bool = False,
    policies: list[Policy] | None = None,
) -> ReturnsSchema:
    """The schema with the request limits of `limits` (defaults when None) and `policies`
    (`standard_policies` when None). Queries run through compiled plans;
    `compare_executors` (tests) checks each planned answer against graphql-core's own.

    A copy of the converted types (`_converted`) with its own extensions and executor class,
    whose graphql-core schema points back at it, as strawberry's own constructor makes it:
    resolvers reach the schema through `info.schema`."""
    limits = limits or GraphQLLimits()
    documents = limits.document_cache()
    chosen = Policies(standard_policies(limits) if policies is None else policies)
    schema = copy.copy(_converted())
    schema.extensions = tuple(chosen.extensions(documents))
    schema.execution_context_class = executor_class(compare=compare_executors)
    core = object.__new__(GraphQLSchema)  # graphql-core's own copy would rebuild the type map
    core.__dict__.update(schema._schema.__dict__)
    core.extensions = {**core.extensions, GraphQLCoreConverter.DEFINITION_BACKREF: schema}
    core._strawberry_schema = schema  # type: ignore[attr-defined]
    schema._schema = core
    schema.documents = documents
    schema.policies = chosen
    return schema


schema = build_schema()
