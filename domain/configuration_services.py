"""Use cases for merchant configuration: reference codes, return settings, pickup locations
and delivery options. Codes are references, so a code that requests or settings still use
cannot disappear from under them."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import ConfigurationRepository, UnitOfWork
from domain.reference import (
    REASON_SCOPED,
    DeliveryOption,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
    unknown_code,
    validate_delivery_option,
    validate_entry,
    validate_location,
    validate_settings,
)

# --------------------------------------------------------------------------- reference codes


async def create_reference(entry: ReferenceEntry, *, uow: UnitOfWork) -> ReferenceEntry:
    validate_entry(entry)
    async with uow:
        config = uow.configuration
        if await config.entry(entry.kind, entry.merchant, entry.code) is not None:
            raise _exists(f"{entry.kind.label} {entry.code}", entry.merchant)
        await _check_reasons_exist(config, entry)
        await config.save_entry(entry, new=True)
        await uow.commit()
    return entry


async def update_reference(entry: ReferenceEntry, *, uow: UnitOfWork) -> ReferenceEntry:
    validate_entry(entry)
    async with uow:
        config = uow.configuration
        if await config.entry(entry.kind, entry.merchant, entry.code) is None:
            raise _missing(f"{entry.kind.label} {entry.code}", entry.merchant)
        await _check_reasons_exist(config, entry)
        await config.save_entry(entry, new=False)
        await uow.commit()
    return entry


async def delete_reference(
    kind: ReferenceKind, merchant: str, code: str, *, uow: UnitOfWork
) -> None:
    async with uow:
        config = uow.configuration
        if await config.entry(kind, merchant, code) is None:
            raise _missing(f"{kind.label} {code}", merchant)
        await _refuse_if_used(config, kind, merchant, code)
        await config.remove_entry(kind, merchant, code)
        await uow.commit()


async def _check_reasons_exist(config: ConfigurationRepository, entry: ReferenceEntry) -> None:
    if entry.kind not in REASON_SCOPED:
        return
    known = {e.code for e in await config.entries(entry.merchant, ReferenceKind.RETURN_REASON)}
    for code in entry.allowed_return_reasons:
        if code not in known:
            raise unknown_code(
                ReferenceKind.RETURN_REASON, code, entry.merchant, "allowed_return_reasons"
            )


async def _refuse_if_used(
    config: ConfigurationRepository, kind: ReferenceKind, merchant: str, code: str
) -> None:
    used = await config.live_requests_using(kind, merchant, code)
    if used:
        raise _in_use(f"{kind.label} {code}", f"{used} live return request(s)")
    if kind == ReferenceKind.RETURN_REASON:
        scoped = [e for e in await config.entries(merchant) if code in e.allowed_return_reasons]
        if scoped:
            names = ", ".join(f"{e.kind.label} {e.code}" for e in scoped)
            raise _in_use(f"return reason {code}", names)


# --------------------------------------------------------------------------- settings


async def upsert_settings(
    settings: ReturnSettings, *, uow: UnitOfWork, new: bool | None = None
) -> ReturnSettings:
    """Create or replace; with `new`, only create (ALREADY_EXISTS otherwise) or only replace
    (NOT_FOUND otherwise), as Carriyo's separate create and update operations do."""
    validate_settings(settings)
    async with uow:
        config = uow.configuration
        if new is not None:
            _settings_presence(await config.settings(settings.merchant) is not None, new, settings)
        known = {location.code for location in await config.locations(settings.merchant)}
        for location in settings.default_dropoff_locations.values():
            if known and location not in known:  # free text until the merchant has locations
                raise unknown_code(
                    "pickup location", location, settings.merchant, "default_dropoff_locations"
                )
        await config.save_settings(settings)
        await uow.commit()
    return settings


async def delete_settings(merchant: str, *, uow: UnitOfWork) -> None:
    async with uow:
        if await uow.configuration.settings(merchant) is None:
            raise _missing("return settings", merchant)
        await uow.configuration.remove_settings(merchant)
        await uow.commit()


# --------------------------------------------------------------------------- locations, options


async def save_location(location: PickupLocation, *, uow: UnitOfWork, new: bool) -> PickupLocation:
    validate_location(location)
    async with uow:
        existing = {loc.code for loc in await uow.configuration.locations(location.merchant)}
        _check_presence(
            location.code in existing, new, "pickup location", location.code, location.merchant
        )
        await uow.configuration.save_location(location, new=new)
        await uow.commit()
    return location


async def delete_location(merchant: str, code: str, *, uow: UnitOfWork) -> None:
    async with uow:
        config = uow.configuration
        if code not in {loc.code for loc in await config.locations(merchant)}:
            raise _missing(f"pickup location {code}", merchant)
        used = await config.live_requests_using(None, merchant, code)
        if used:
            raise _in_use(f"pickup location {code}", f"{used} live return request(s)")
        settings = await config.settings(merchant)
        if settings and code in settings.default_dropoff_locations.values():
            raise _in_use(f"pickup location {code}", "the default dropoff locations")
        await config.remove_location(merchant, code)
        await uow.commit()


async def save_delivery_option(
    option: DeliveryOption, *, uow: UnitOfWork, new: bool
) -> DeliveryOption:
    validate_delivery_option(option)
    async with uow:
        existing = {o.id for o in await uow.configuration.delivery_options(option.merchant)}
        _check_presence(option.id in existing, new, "delivery option", option.id, option.merchant)
        await uow.configuration.save_delivery_option(option, new=new)
        await uow.commit()
    return option


async def delete_delivery_option(merchant: str, option_id: str, *, uow: UnitOfWork) -> None:
    async with uow:
        if option_id not in {o.id for o in await uow.configuration.delivery_options(merchant)}:
            raise _missing(f"delivery option {option_id}", merchant)
        await uow.configuration.remove_delivery_option(merchant, option_id)
        await uow.commit()


# --------------------------------------------------------------------------- errors


def _check_presence(exists: bool, new: bool, label: str, code: str, merchant: str) -> None:
    if new and exists:
        raise _exists(f"{label} {code}", merchant)
    if not new and not exists:
        raise _missing(f"{label} {code}", merchant)


def _settings_presence(exists: bool, new: bool, settings: ReturnSettings) -> None:
    if new and exists:
        raise DomainError(
            f"return settings already exist for merchant {settings.merchant}; update them",
            field="merchant",
            code=ErrorCode.ALREADY_EXISTS,
        )
    if not new and not exists:
        raise NotFound(f"no return settings for merchant {settings.merchant}", field="merchant")


def _exists(what: str, merchant: str) -> DomainError:
    return DomainError(
        f"{what} already exists for merchant {merchant}",
        field="code",
        code=ErrorCode.ALREADY_EXISTS,
    )


def _missing(what: str, merchant: str) -> NotFound:
    return NotFound(f"{what} not found for merchant {merchant}", field="code")


def _in_use(what: str, users: str) -> DomainError:
    return DomainError(
        f"{what} is still used by {users}; it cannot be deleted",
        field="code",
        code=ErrorCode.IN_USE,
    )
