"""The portal form: read it (multipart, with photos) within limits, keep photos through a
store as they arrive, and turn the rest into a CreateReturn, with every problem attached to
the field it concerns, in the customer's language.

Fields are per order line by index (`qty-0`, `reason-0`, `photos-0`, …), so no sku, whatever
characters it holds, becomes part of a field name."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web

from domain.errors import DomainError, ErrorCode
from domain.photos import PHOTO_ID, PhotoLimits, PhotoStore

MAX_FIELD_CHARS = 10_000
MAX_PARTS = 400


@dataclass
class FormState:
    """What the customer sent, what we kept of it, and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    kept: dict[int, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


@dataclass
class Upload:
    index: int
    data: bytes
    too_big: bool


async def read_form(request: web.Request, limits: PhotoLimits) -> tuple[FormState, list[Upload]]:
    state = FormState()
    if request.content_type != "multipart/form-data":
        posted = await request.post()
        state.values = {
            k: str(v)[:MAX_FIELD_CHARS] for k, v in posted.items() if isinstance(v, str)
        }
        return state, []
    uploads: list[Upload] = []
    reader = await request.multipart()
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            break
        if isinstance(part, BodyPartReader):
            await _read_part(part, state, uploads, limits)
    return state, uploads


async def _read_part(
    part: BodyPartReader, state: FormState, uploads: list[Upload], limits: PhotoLimits
) -> None:
    name = part.name or ""
    if name.startswith("photos-") and part.filename:
        data, too_big = await _read_limited(part, limits.max_bytes)
        if data or too_big:
            uploads.append(Upload(_index(name), data, too_big))
    elif name.startswith("kept-"):
        photo_id = (await _read_limited(part, 64))[0].decode(errors="replace")
        if PHOTO_ID.fullmatch(photo_id):
            state.kept.setdefault(_index(name), []).append(photo_id)
    else:
        data, _ = await _read_limited(part, MAX_FIELD_CHARS * 4)
        state.values[name] = data.decode(errors="replace")[:MAX_FIELD_CHARS]


async def _read_limited(part: BodyPartReader, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of a part; the rest is drained, never held in memory."""
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            await part.release()
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False


def _index(name: str) -> int:
    suffix = name.rsplit("-", 1)[-1]
    return int(suffix) if suffix.isdigit() and len(suffix) < 5 else -1


async def keep_photos(
    state: FormState,
    uploads: list[Upload],
    *,
    tenant_id: str,
    store: PhotoStore,
    limits: PhotoLimits,
    t,
) -> None:
    """Store each acceptable photo at once, so a form sent back for another reason keeps
    them; refuse the rest beside their field."""
    for upload in uploads:
        where = f"photos-{upload.index}"
        kept = state.kept.setdefault(upload.index, [])
        if len(kept) >= limits.max_per_item:
            state.fail(where, t("err_photo_count", n=limits.max_per_item))
            continue
        try:
            if upload.too_big:
                raise DomainError("too big", code=ErrorCode.LIMIT_EXCEEDED)
            kind = limits.check(upload.data, field=where)
        except DomainError as problem:
            too_big = problem.code == ErrorCode.LIMIT_EXCEEDED
            mb = f"{limits.max_bytes / 1024 / 1024:g}"
            state.fail(where, t("err_photo_size", mb=mb) if too_big else t("err_photo_type"))
            continue
        kept.append(await store.save(tenant_id, upload.data, kind))
