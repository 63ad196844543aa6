"""What each mutation needs of a staff user's role (domain/staff.py): one table, checked on
the server before anything executes, so a viewer's approve sent by hand is refused as the
desk's buttons would refuse it. A mutation missing here needs MANAGE (an admin): a new one
is closed until someone decides, and tests/unit/test_staff_permissions.py requires every
mutation of the schema to be listed.

API clients are not staff: their keys' full or read-only access stays as it was
(graphql_api/guards.py)."""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from domain.access import Principal
from domain.staff import Permission

_RETURNS = (
    "upsertOrder createReturn updateReturn approveReturn rejectReturn holdReturn resumeReturn "
    "cancelReturn receiveReturn completeReturn setReturnStatus assignReturn deleteReturnNote "
    "deleteRefund updateReverseShipment splitReturn addReturnNote addRefund setRefundOutcome "
    "waiveReturnFee setReturnFee releaseExchange recordExchangePayment markExchangeFulfilled "
    "convertExchange"
)
_MANAGE = (
    "createReturnReason updateReturnReason deleteReturnReason createRejectionReason "
    "updateRejectionReason deleteRejectionReason createResolution updateResolution "
    "deleteResolution createItemCondition updateItemCondition deleteItemCondition "
    "createRefundType updateRefundType deleteRefundType createReturnComment "
    "updateReturnComment deleteReturnComment upsertReturnSettings deleteReturnSettings "
    "createPickupLocation updatePickupLocation deletePickupLocation createDeliveryOption "
    "updateDeliveryOption deleteDeliveryOption updatePortalSettings createWebhookEndpoint "
    "updateWebhookEndpoint deleteWebhookEndpoint resendWebhookDelivery createStaffUser "
    "updateStaffUser resetStaffPassword createFeeRule deleteFeeRule upsertStoreCreditSettings "
    "updateMailSettings setMessageTemplate deleteMessageTemplate createApiClient "
    "revokeApiClient "
    # The exchange catalogue is the merchant's configuration.
    "upsertVariants deleteVariant updateExchangeSettings "
    # Store credit moves outside a return (a storefront's debit, an operator's correction)
    # are money the tenant answers for: admins, or the storefront's API client.
    "debitStoreCredit revertStoreCreditDebit adjustStoreCredit"
)
MUTATION_PERMISSIONS: dict[str, Permission] = {
    **dict.fromkeys(_RETURNS.split(), Permission.ACT_ON_RETURNS),
    **dict.fromkeys(_MANAGE.split(), Permission.MANAGE),
}

# Mutations whose answer carries a secret shown this once (credentials, a password link, a
# signing secret): their answer is marked `Cache-Control: no-store`, so an idempotency key
# never keeps it for a replay (edge/idempotency_header.py) and no cache holds it.
SECRET_ANSWERS = frozenset(
    {
        "createApiClient",
        "createStaffUser",
        "resetStaffPassword",
        "createWebhookEndpoint",
        "updateWebhookEndpoint",
    }
)


def needed(field: str) -> Permission:
    return MUTATION_PERMISSIONS.get(field, Permission.MANAGE)


def refused_fields(principal: Principal, document: DocumentNode, name: str | None) -> list[str]:
    """The mutations of the operation `name` that `principal`'s role may not run (none
    for an API client: its key's access decides)."""
    if principal.user is None:
        return []
    role = principal.user.role
    return [f for f in root_fields(document, name) if not role.allows(needed(f))]


def carries_secret(document: DocumentNode, name: str | None) -> bool:
    return any(field in SECRET_ANSWERS for field in root_fields(document, name))


def root_fields(document: DocumentNode, name: str | None) -> list[str]:
    """The top-level fields the operation selects, through fragments too."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if name is None or (o.name and o.name.value == name)), None
    )
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    found: list[str] = []
    if chosen is not None:
        _collect(chosen.selection_set, fragments, found, set())
    return found


def _collect(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    found: list[str],
    seen: set[str],
) -> None:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            found.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, found, seen)
        elif isinstance(selection, FragmentSpreadNode):
            spread = selection.name.value
            if spread in fragments and spread not in seen:
                seen.add(spread)
                _collect(fragments[spread].selection_set, fragments, found, seen)
