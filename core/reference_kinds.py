"""Every kind of merchant code, declared once for every face that offers it.

GraphQL makes each kind's type, query and create/update/delete mutations from its row, and
Carriyo's REST face its four routes; neither writes a kind by hand. A new kind of code (code,
name, translations) is a `ReferenceKind` and a row here: the kinds share one table, their
checks (`domain.reference.validate_entry`) and their use cases. Which fields a kind carries
beyond the common ones is the domain's (`Shape`): return reasons their flags, refund types
and return comments the reasons they apply to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from domain.reference import REASON_SCOPED, ReferenceKind

K = ReferenceKind


class Shape(Enum):
    """The fields of a kind's entries beyond code, name and translations."""

    REASON = "reason"  # the flags a return reason puts on items
    PLAIN = "plain"  # nothing more
    SCOPED = "scoped"  # the return reasons the entry applies to
    REFUND = "refund"  # scoped, and whether a refund of this type is store credit


@dataclass(frozen=True, slots=True)
class KindFaces:
    """How the faces name one kind.

    `name` is GraphQL's type and the noun of its mutations (createReturnReason); its query
    is the plural (returnReasons). `path`, `code_param` and `label` are Carriyo's: the route
    segment under /returns/, the path parameter naming one code, and the words of the
    summaries. Carriyo lists some kinds of every merchant when `merchant` is left out
    (`merchant_required` False). `delete_note` is what the delete mutation adds about refusal.
    """

    kind: ReferenceKind
    name: str
    path: str
    code_param: str
    label: str
    merchant_required: bool
    delete_note: str | None = None

    @property
    def shape(self) -> Shape:
        if self.kind == ReferenceKind.RETURN_REASON:
            return Shape.REASON
        if self.kind == ReferenceKind.REFUND_TYPE:
            return Shape.REFUND
        return Shape.SCOPED if self.kind in REASON_SCOPED else Shape.PLAIN

    @property
    def plural(self) -> str:
        """GraphQL's query field: returnReasons, refundTypes."""
        return self.name[0].lower() + self.name[1:] + "s"

    @property
    def snake(self) -> str:
        """The noun as Python spells it: return_reason (strawberry camel-cases it back)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()


REFERENCE_KINDS: tuple[KindFaces, ...] = (
    KindFaces(
        K.RETURN_REASON,
        "ReturnReason",
        "reasons",
        "reason_code",
        "return reason",
        merchant_required=True,
        delete_note="Refused (IN_USE) while live requests or refund types "
        "and comments still use the reason.",
    ),
    KindFaces(
        K.REJECTION_REASON,
        "RejectionReason",
        "rejection-reasons",
        "reason_code",
        "rejection reason",
        merchant_required=False,
    ),
    KindFaces(
        K.RESOLUTION,
        "Resolution",
        "resolutions",
        "resolution_code",
        "return resolution",
        merchant_required=True,
    ),
    KindFaces(
        K.REFUND_TYPE,
        "RefundType",
        "refund-types",
        "refund_type_code",
        "return refund type",
        merchant_required=False,
    ),
    KindFaces(
        K.ITEM_CONDITION,
        "ItemCondition",
        "item-conditions",
        "item_condition_code",
        "return item condition",
        merchant_required=False,
    ),
    KindFaces(
        K.RETURN_COMMENT,
        "ReturnComment",
        "comments",
        "comment_code",
        "return comment",
        merchant_required=True,
    ),
)

BY_KIND = {faces.kind: faces for faces in REFERENCE_KINDS}
