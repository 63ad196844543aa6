"""How many elements each list field of the schema can hold, for the cost ceiling
(graphql_api/limits.py). Every list field has an entry; a test checks that none is missing.

Three kinds of bound:
- `PAGE_SIZE`: a connection's `edges`, bounded by the `first` the client asked for;
- a bound the domain enforces (translations, images, comment codes, webhook endpoints,
  actions, event types);
- a declared size for lists the domain leaves open (a request's items, notes, events…):
  what a large real request reaches. Resolvers do not cut lists at these sizes; the request
  timeout bounds what a longer one costs.
"""

from __future__ import annotations

from typing import Final

from core.reference_kinds import REFERENCE_KINDS, Shape
from domain.customer_messages import CONFIGURABLE
from domain.customer_messages import LANGUAGES as MAIL_LANGUAGES
from domain.eligibility import MAX_COMMENT_CODES, MAX_IMAGES
from domain.fees import MAX_FILTER_CODES
from domain.lifecycle import Action, ReturnStatus
from domain.parts import RefundOutcome
from domain.reference import MAX_TRANSLATIONS
from domain.staff import MAX_STAFF_USERS
from domain.variants import MAX_EXCHANGE_OPTIONS, MAX_VARIANTS_PER_CALL
from domain.webhooks import EVENT_TYPES, MAX_ENDPOINTS
from persistence import insights
from persistence.access import MAX_LISTED_CLIENTS

PAGE_SIZE: Final = 0  # the `first` of the connection the list belongs to

# Declared sizes of lists the domain leaves open.
ITEMS_PER_REQUEST = 20
NOTES_PER_REQUEST = 20
REFUNDS_PER_REQUEST = 10
CURRENCIES_PER_REQUEST = 3
SHIPMENTS_PER_REQUEST = 5
FEES_PER_REQUEST = 20
FEE_RULES_PER_MERCHANT = 50
ITEM_UPDATES_PER_REQUEST = 10
EVENTS_PER_REQUEST = 50
LINES_PER_ORDER = 50
CODES_PER_MERCHANT = 100
LOCATIONS_PER_MERCHANT = 100
BLOCKERS_PER_LINE = 10
USER_ERRORS = 20
COUNTRIES_PER_MERCHANT = 50
NOTIFICATION_USERS = 20
LOOKUP_METHODS = 5
ALLOCATIONS_PER_ENTRY = 20  # the credit lots one debit spends
MESSAGES_PER_REQUEST = 100  # persistence/customer_messages.py reads at most this many
EXCHANGE_LINES_PER_REQUEST = 20  # as many as items, with their cancelled parts
PAYMENTS_PER_REQUEST = 10
OPTIONS_PER_VARIANT = 10

FILTER_FIELDS = ("resolutions", "reasons", "conditions", "countries", "waivingReasons")
_REFERENCE_TYPES = ("ReferenceCode", *(faces.name for faces in REFERENCE_KINDS))
_REFERENCE_QUERIES = tuple(faces.plural for faces in REFERENCE_KINDS)
_SCOPED_TYPES = tuple(
    faces.name for faces in REFERENCE_KINDS if faces.shape in (Shape.SCOPED, Shape.REFUND)
)
_PAYLOADS = (
    "AddRefundPayload",
    "AddReturnNotePayload",
    "DeletePayload",
    "DeleteWebhookEndpointPayload",
    "MailSettingsPayload",
    "MessageTemplatePayload",
    "DeliveryOptionPayload",
    "FeeRulePayload",
    "QuoteReturnResult",
    "PickupLocationPayload",
    "PortalSettingsPayload",
    "ReferenceCodePayload",
    "ReturnRequestPayload",
    "ReturnSettingsPayload",
    "SplitReturnPayload",
    "StoreCreditEntryPayload",
    "StoreCreditSettingsPayload",
    "UpsertOrderPayload",
    "WebhookDeliveryPayload",
    "WebhookEndpointPayload",
    "StaffUserPayload",
    "CreateApiClientPayload",
    "ApiClientPayload",
    "UpsertVariantsPayload",
    "ExchangeSettingsPayload",
)

LIST_BOUNDS: Final[dict[str, int]] = {
    "ReturnRequestConnection.edges": PAGE_SIZE,
    "ReturnEventConnection.edges": PAGE_SIZE,
    "NotificationConnection.edges": PAGE_SIZE,
    "WebhookDeliveryConnection.edges": PAGE_SIZE,
    "StoreCreditAccountConnection.edges": PAGE_SIZE,
    "StoreCreditLedgerConnection.edges": PAGE_SIZE,
    "StoreCreditEntry.allocations": ALLOCATIONS_PER_ENTRY,
    "Query.returnableItems": LINES_PER_ORDER,
    **{f"Query.{name}": CODES_PER_MERCHANT for name in _REFERENCE_QUERIES},
    "Query.pickupLocations": LOCATIONS_PER_MERCHANT,
    "Query.deliveryOptions": LOCATIONS_PER_MERCHANT,
    "Query.webhookEndpoints": MAX_ENDPOINTS,
    "Query.staffUsers": MAX_STAFF_USERS,
    "Query.apiClients": MAX_LISTED_CLIENTS,
    "Query.customerMessages": MESSAGES_PER_REQUEST,
    "Query.messageTemplates": len(CONFIGURABLE) * len(MAIL_LANGUAGES),
    "Query.returnStatusCounts": len(ReturnStatus),
    "ReturnInsights.products": insights.TOP_PRODUCTS,
    "ReturnInsights.reasons": insights.TOP_REASONS,
    "ReturnInsights.outcomes": insights.MAX_OUTCOMES,
    "ReturnInsights.timeToRefund": len(insights.DELAY_BUCKETS),
    "ReturnInsights.moneyPerWeek": insights.MAX_WEEK_ROWS,
    "ReturnRequest.allowedActions": len(Action),
    "ReturnRequest.items": ITEMS_PER_REQUEST,
    "ReturnRequest.notes": NOTES_PER_REQUEST,
    "ReturnRequest.refunds": REFUNDS_PER_REQUEST,
    "ReturnRequest.refundTotals": CURRENCIES_PER_REQUEST,
    "ReturnRequest.fees": FEES_PER_REQUEST,
    "ReturnRequest.balance": CURRENCIES_PER_REQUEST,
    "Query.feeRules": FEE_RULES_PER_MERCHANT,
    **{f"FeeRule.{name}": MAX_FILTER_CODES for name in FILTER_FIELDS},
    "ReturnQuote.lines": ITEMS_PER_REQUEST,
    "ReturnQuote.fees": FEES_PER_REQUEST,
    "ReturnQuote.totals": CURRENCIES_PER_REQUEST,
    "QuoteLine.fees": FEES_PER_REQUEST,
    "QuoteTotal.outcomes": len(RefundOutcome),
    "ReturnRequest.storeCreditAccounts": CURRENCIES_PER_REQUEST,
    "ReturnRequest.reverseShipments": SHIPMENTS_PER_REQUEST,
    "ReturnRequest.itemsUpdates": ITEM_UPDATES_PER_REQUEST,
    "ReturnRequest.events": EVENTS_PER_REQUEST,
    "ReturnItem.commentCodes": MAX_COMMENT_CODES,
    "ReturnItem.comments": MAX_COMMENT_CODES,
    "ReturnItem.imageUrls": MAX_IMAGES,
    "ItemsUpdate.previous": ITEMS_PER_REQUEST,
    "ItemsUpdate.current": ITEMS_PER_REQUEST,
    "ReverseShipment.items": ITEMS_PER_REQUEST,
    "Order.lines": LINES_PER_ORDER,
    "ReturnableLine.blockers": BLOCKERS_PER_LINE,
    **{f"{kind}.translations": MAX_TRANSLATIONS for kind in _REFERENCE_TYPES},
    **{f"{kind}.allowedReturnReasons": CODES_PER_MERCHANT for kind in _SCOPED_TYPES},
    "ReturnSettings.defaultDropoffLocations": COUNTRIES_PER_MERCHANT,
    "ReturnSettings.notificationUsers": NOTIFICATION_USERS,
    "ReturnSettings.orderLookupMethods": LOOKUP_METHODS,
    "WebhookEndpoint.eventTypes": len(EVENT_TYPES),
    "VariantConnection.edges": PAGE_SIZE,
    "Variant.options": OPTIONS_PER_VARIANT,
    "Query.exchangeOptions": MAX_EXCHANGE_OPTIONS,
    "UpsertVariantsPayload.variants": MAX_VARIANTS_PER_CALL,
    "ReturnRequest.exchangeLines": EXCHANGE_LINES_PER_REQUEST,
    "ReturnRequest.exchangePayments": PAYMENTS_PER_REQUEST,
    "ReturnQuote.exchangeLines": EXCHANGE_LINES_PER_REQUEST,
    **{f"{payload}.userErrors": USER_ERRORS for payload in _PAYLOADS},
}
