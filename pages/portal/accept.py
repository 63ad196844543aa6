"""A read form made into a return: the command names each photo by the id it will be stored
under, the use case judges the form, and only an accepted form's photos are stored, and
only those of lines that became items. A refused form stores nothing and leaves no file.

Photos are written after the return commits: a crash between the two leaves a return whose
photo links answer 404, never a file that no return refers to."""

from __future__ import annotations

from core.context import Context
from core.photos import Photos
from domain import services
from domain.errors import DomainError
from domain.photos import new_photo_id
from domain.returns import ReturnRequest
from pages.portal.form import FormState, Upload
from pages.portal.i18n import Translator
from pages.portal.page_data import PortalData
from pages.portal.submit import attach_errors, command


async def make_return(
    context: Context,
    data: PortalData,
    form: FormState,
    uploads: list[Upload],
    t: Translator,
    *,
    photos: Photos,
    base_url: str,
) -> ReturnRequest | None:
    """The return the form asks for, or None with the form's errors filled in."""
    named = [(upload, new_photo_id(upload.kind)) for upload in uploads]
    urls: dict[int, list[str]] = {}
    for upload, photo_id in named:
        urls.setdefault(upload.index, []).append(Photos.url(base_url, photo_id))
    cmd, origin = command(form, data, t, actor=context.actor, photo_urls=urls)
    if cmd is None:
        return None
    try:
        created = await services.create_return(cmd, uow=context.unit_of_work(), clock=context.clock)
    except DomainError as error:
        attach_errors(error, form, origin, t)
        return None
    for upload, photo_id in named:
        if upload.index in origin:
            await photos.store.save(context.tenant_id, upload.data, upload.kind, photo_id)
    return created
