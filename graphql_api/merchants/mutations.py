"""Configuration mutations: create, update and delete each kind of code, the settings,
pickup locations and delivery options; expected failures come back as userErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from domain import configuration_services as use
from domain.errors import DomainError
from domain.reference import ReferenceEntry, ReferenceKind
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.merchants import inputs as i
from graphql_api.merchants import types as t

K = ReferenceKind


async def _code(
    info: Info, build: Callable[[], ReferenceEntry], new: bool
) -> t.ReferenceCodePayload:
    save = use.create_reference if new else use.update_reference
    try:
        entry = await save(build(), uow=info.context.unit_of_work())
    except DomainError as error:
        return t.ReferenceCodePayload(reference_code=None, user_errors=user_errors(error))
    info.context.loaders.remember_reference(entry)
    return t.ReferenceCodePayload(reference_code=t.reference_view(entry), user_errors=[])


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


@strawberry.type
class ReferenceCodeMutations:
    @strawberry.mutation
    async def create_return_reason(
        self, info: Info, input: i.ReturnReasonInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, input.to_domain, new=True)

    @strawberry.mutation
    async def update_return_reason(
        self, info: Info, input: i.ReturnReasonInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, input.to_domain, new=False)

    @strawberry.mutation(
        description="Refused (IN_USE) while live requests or refund types "
        "and comments still use the reason."
    )
    async def delete_return_reason(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete_code(info, K.RETURN_REASON, input)

    @strawberry.mutation
    async def create_rejection_reason(
        self, info: Info, input: i.ReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.REJECTION_REASON), new=True)

    @strawberry.mutation
    async def update_rejection_reason(
        self, info: Info, input: i.ReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.REJECTION_REASON), new=False)

    @strawberry.mutation
    async def delete_rejection_reason(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete_code(info, K.REJECTION_REASON, input)

    @strawberry.mutation
    async def create_resolution(
        self, info: Info, input: i.ReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.RESOLUTION), new=True)

    @strawberry.mutation
    async def update_resolution(
        self, info: Info, input: i.ReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.RESOLUTION), new=False)

    @strawberry.mutation
    async def delete_resolution(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete_code(info, K.RESOLUTION, input)

    @strawberry.mutation
    async def create_item_condition(
        self, info: Info, input: i.ReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.ITEM_CONDITION), new=True)

    @strawberry.mutation
    async def update_item_condition(
        self, info: Info, input: i.ReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.ITEM_CONDITION), new=False)

    @strawberry.mutation
    async def delete_item_condition(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete_code(info, K.ITEM_CONDITION, input)

    @strawberry.mutation
    async def create_refund_type(
        self, info: Info, input: i.ScopedReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.REFUND_TYPE), new=True)

    @strawberry.mutation
    async def update_refund_type(
        self, info: Info, input: i.ScopedReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.REFUND_TYPE), new=False)

    @strawberry.mutation
    async def delete_refund_type(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete_code(info, K.REFUND_TYPE, input)

    @strawberry.mutation
    async def create_return_comment(
        self, info: Info, input: i.ScopedReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.RETURN_COMMENT), new=True)

    @strawberry.mutation
    async def update_return_comment(
        self, info: Info, input: i.ScopedReferenceCodeInput
    ) -> t.ReferenceCodePayload:
        return await _code(info, lambda: input.to_domain(K.RETURN_COMMENT), new=False)

    @strawberry.mutation
    async def delete_return_comment(
        self, info: Info, input: i.DeleteReferenceCodeInput
    ) -> t.DeletePayload:
        return await _delete_code(info, K.RETURN_COMMENT, input)


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
