"""The reverse shipment of a request: opened on approval, closed when the request ends.

With the default `manual` carrier the merchant enters the tracking number and label."""

from __future__ import annotations

from datetime import datetime

from domain import events as ev
from domain.errors import InvalidTransition, NotFound
from domain.lifecycle import Action, ReturnStatus
from domain.parts import MANUAL_CARRIER, ReverseShipment, ShipmentStatus
from domain.reference import DeliveryOption
from domain.request_state import ReturnRequestState
from domain.values import UNSET, Actor, bounded_text, new_id, optional_code, optional_text

# A slip is scanned on its way back: after approval, before every approved unit arrived.
SCANNABLE = frozenset({ReturnStatus.APPROVED, ReturnStatus.PARTIALLY_RECEIVED})
SCAN = "RECORD_FIRST_SCAN"


class ReverseShipments(ReturnRequestState):
    def update_shipment(
        self,
        *,
        at: datetime,
        actor: Actor,
        tracking_number: object = UNSET,
        label_url: object = UNSET,
        carrier: object = UNSET,
        in_transit: bool = False,
    ) -> ReverseShipment:
        """Enter what the carrier gave the merchant: tracking number, label, carrier name."""
        self._require(Action.UPDATE_SHIPMENT)
        shipment = self.open_shipment
        if shipment is None:
            raise NotFound(
                f"return request {self.id} has no open reverse shipment", field="return_request_id"
            )
        if tracking_number is not UNSET:
            shipment.tracking_number = optional_text(tracking_number, "tracking_number")
        if label_url is not UNSET:
            shipment.label_url = optional_text(label_url, "label_url")
        if carrier is not UNSET:
            shipment.carrier = bounded_text(carrier, field="carrier", limit=100)  # type: ignore[arg-type]
        if in_transit:
            shipment.status = ShipmentStatus.IN_TRANSIT
        shipment.updated_at = at
        self._record_shipment(shipment, at=at, actor=actor)
        self._touch(at, actor)
        return shipment

    def record_first_scan(self, *, at: datetime, actor: Actor, location: str | None = None) -> bool:
        """The carrier's first scan of the slip: the parcel is in transit (and so is the open
        reverse shipment). A slip is scanned again at every hand-over, so a later scan is
        answered as done and records nothing: False. Not an `Action` of the lifecycle
        table, since no merchant does it (it never shows in allowedActions), but guarded
        the same way: a request that is not waiting for its parcel refuses a scan."""
        if self.first_scanned_at is not None:
            return False
        if self.status not in SCANNABLE:
            raise InvalidTransition(
                SCAN, self.status.value, [a.value for a in self.allowed_actions]
            )
        location = optional_code(location, field="location")
        self.first_scanned_at = at
        self._record(ev.ReturnFirstScanned, at, actor, location=location)
        shipment = self.open_shipment
        if shipment is not None and shipment.status == ShipmentStatus.CREATED:
            shipment.status = ShipmentStatus.IN_TRANSIT
            shipment.updated_at = at
            self._record_shipment(shipment, at=at, actor=actor)
        self._touch(at, actor)
        return True

    @property
    def open_shipment(self) -> ReverseShipment | None:
        return next((s for s in self.shipments if s.is_open), None)

    def _open_shipment(
        self, *, at: datetime, actor: Actor, option: DeliveryOption | None = None
    ) -> ReverseShipment:
        shipment = ReverseShipment(
            id=new_id("RS"),
            carrier=(option.carrier if option else None) or MANUAL_CARRIER,
            status=ShipmentStatus.CREATED,
            created_at=at,
            items=self.shipment_items(),
            pickup=self.details.pickup,
            dropoff=self.details.dropoff,
            delivery_option_id=option.id if option else None,
        )
        self.shipments.append(shipment)
        self._record(
            ev.ReverseShipmentCreated, at, actor, shipment_id=shipment.id, carrier=shipment.carrier
        )
        return shipment

    def shipment_items(self) -> list[tuple[str, int]]:
        return [(item.sku, item.approved_quantity) for item in self.items if item.approved_quantity]

    def _finish_shipments(self, *, at: datetime, actor: Actor) -> None:
        """A completed request's parcel journey is over: delivered if anything arrived."""
        arrived = any(item.received_quantity for item in self.items)
        status = ShipmentStatus.DELIVERED if arrived else ShipmentStatus.CANCELLED
        self._close_shipments(status, at=at, actor=actor)

    def _cancel_shipments(self, *, at: datetime, actor: Actor) -> None:
        self._close_shipments(ShipmentStatus.CANCELLED, at=at, actor=actor)

    def _close_shipments(self, status: ShipmentStatus, *, at: datetime, actor: Actor) -> None:
        for shipment in self.shipments:
            if shipment.is_open:
                shipment.status = status
                shipment.updated_at = at
                self._record_shipment(shipment, at=at, actor=actor)

    def _record_shipment(self, shipment: ReverseShipment, *, at: datetime, actor: Actor) -> None:
        self._record(
            ev.ReverseShipmentUpdated,
            at,
            actor,
            shipment_id=shipment.id,
            status=shipment.status.value,
            tracking_number=shipment.tracking_number,
        )
