"""Configuration mutations: create, update and delete each kind of code, the settings,
pickup locations and delivery options; expected failures come back as userErrors. The
mutations of each kind of code are made from its row in `core.reference_kinds`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

from core.reference_kinds import REFERENCE_KINDS, KindFaces, Shape
from domain import configuration_services as use
from domain.errors import DomainError
from domain.reference import ReferenceEntry, ReferenceKind
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.merchants import inputs as i
from graphql_api.merchants import types as t


async def _code(
    info: Info, build: Callable[[], ReferenceEntry], new: bool
) -> t.ReferenceCodePayload:
    """Building the entry checks the input, so it happens where refusals become userErrors."""
    save = use.create_reference if new else use.update_reference
    try:
        saved = await save(build(), uow=info.context.unit_of_work())
    except DomainError as error:
        return t.ReferenceCodePayload(reference_code=None, user_errors=user_errors(error))
    info.context.loaders.remember_reference(saved)
    return t.ReferenceCodePayload(reference_code=t.reference_view(saved), user_errors=[])


async def _delete(run: Callable[[], Awaitable[Any]]) -> t.DeletePayload:
    try:
        await run()
    except DomainError as error:
        return t.DeletePayload(deleted=False, user_errors=user_errors(error))
    return t.DeletePayload(deleted=True, user_errors=[])


async def _delete_code(
    info: Info, kind: ReferenceKind, data: i.DeleteReferenceCodeInput
) -> t.DeletePayload:
    payload = await _delete(
        lambda: use.delete_reference(
            kind, data.merchant, data.code, uow=info.context.unit_of_work()
        )
    )
    if payload.deleted:
        info.context.loaders.forget_reference((kind.value, data.merchant, data.code))
    return payload


# The input of each shape of code; its `to_domain(kind)` builds the entry.
_INPUTS: dict[Shape, type[i.CodeInput]] = {
    Shape.REASON: i.ReturnReasonInput,
    Shape.PLAIN: i.ReferenceCodeInput,
    Shape.SCOPED: i.ScopedReferenceCodeInput,
    Shape.REFUND: i.ScopedReferenceCodeInput,
}


def _save_field(faces: KindFaces, *, new: bool) -> StrawberryField:
    kind, verb = faces.kind, "create" if new else "update"

    async def save(info: Info, input: i.CodeInput) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(kind), new=new)

    save.__annotations__ = {
        "info": Info,
        "input": _INPUTS[faces.shape],
        "return": t.ReferenceCodePayload,
    }
    return strawberry.mutation(resolver=save, name=f"{verb}{faces.name}")


def _delete_field(faces: KindFaces) -> StrawberryField:
    kind = faces.kind

    async def delete(info: Info, input: i.DeleteReferenceCodeInput) -> t.DeletePayload:
        return await _delete_code(info, kind, input)

    delete.__annotations__ = {
        "info": Info,
        "input": i.DeleteReferenceCodeInput,
        "return": t.DeletePayload,
    }
    return strawberry.mutation(
        resolver=delete, name=f"delete{faces.name}", description=faces.delete_note
    )


def _code_fields(faces: KindFaces) -> dict[str, StrawberryField]:
    return {
        f"create_{faces.snake}": _save_field(faces, new=True),
        f"update_{faces.snake}": _save_field(faces, new=False),
        f"delete_{faces.snake}": _delete_field(faces),
    }


# Create, update and delete of every kind of code, made from `core.reference_kinds`; grouped
# by the shape of their input (reasons, plain codes, scoped codes), as the schema has them.
_BY_SHAPE = sorted(REFERENCE_KINDS, key=lambda faces: list(Shape).index(faces.shape))
ReferenceCodeMutations = strawberry.type(
    type(
        "ReferenceCodeMutations",
        (),
        {name: field for faces in _BY_SHAPE for name, field in _code_fields(faces).items()},
    )
)


@strawberry.type
class SettingsMutations:
    @strawberry.mutation(description="Create or replace a merchant's return settings.")
    async def upsert_return_settings(
        self, info: Info, input: i.ReturnSettingsInput
    ) -> t.ReturnSettingsPayload:
        try:
            saved = await use.upsert_settings(input.to_domain(), uow=info.context.unit_of_work())
        except DomainError as error:
            return t.ReturnSettingsPayload(return_settings=None, user_errors=user_errors(error))
        return t.ReturnSettingsPayload(
            return_settings=t.ReturnSettingsType.from_domain(saved), user_errors=[]
        )

    @strawberry.mutation
    async def delete_return_settings(
        self, info: Info, input: i.DeleteByMerchantInput
    ) -> t.DeletePayload:
        return await _delete(
            lambda: use.delete_settings(input.merchant, uow=info.context.unit_of_work())
        )

    @strawberry.mutation
    async def create_pickup_location(
        self, info: Info, input: i.PickupLocationInput
    ) -> t.PickupLocationPayload:
        return await _location(info, input, new=True)

    @strawberry.mutation
    async def update_pickup_location(
        self, info: Info, input: i.PickupLocationInput
    ) -> t.PickupLocationPayload:
        return await _location(info, input, new=False)

    @strawberry.mutation(
        description="Refused (IN_USE) while live requests or the default "
        "dropoff settings use the location."
    )
    async def delete_pickup_location(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete(
            lambda: use.delete_location(input.merchant, input.code, uow=info.context.unit_of_work())
        )

    @strawberry.mutation
    async def create_delivery_option(
        self, info: Info, input: i.DeliveryOptionInput
    ) -> t.DeliveryOptionPayload:
        return await _option(info, input, new=True)

    @strawberry.mutation
    async def update_delivery_option(
        self, info: Info, input: i.DeliveryOptionInput
    ) -> t.DeliveryOptionPayload:
        return await _option(info, input, new=False)

    @strawberry.mutation
    async def delete_delivery_option(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete(
            lambda: use.delete_delivery_option(
                input.merchant, input.code, uow=info.context.unit_of_work()
            )
        )


async def _location(
    info: Info, data: i.PickupLocationInput, *, new: bool
) -> t.PickupLocationPayload:
    try:
        saved = await use.save_location(data.to_domain(), uow=info.context.unit_of_work(), new=new)
    except DomainError as error:
        return t.PickupLocationPayload(pickup_location=None, user_errors=user_errors(error))
    return t.PickupLocationPayload(
        pickup_location=t.PickupLocationType.from_domain(saved), user_errors=[]
    )


async def _option(info: Info, data: i.DeliveryOptionInput, *, new: bool) -> t.DeliveryOptionPayload:
    try:
        saved = await use.save_delivery_option(
            data.to_domain(), uow=info.context.unit_of_work(), new=new
        )
    except DomainError as error:
        return t.DeliveryOptionPayload(delivery_option=None, user_errors=user_errors(error))
    return t.DeliveryOptionPayload(
        delivery_option=t.DeliveryOptionType.from_domain(saved), user_errors=[]
    )
