"""The portal form, judged as it streams: its first field must be its CSRF field (or nothing
more is read: 403), the whole body stops at the request's limit (413), each photo at the
photo limit, and photos count only on lines that can be returned, a few per line. Photos
are held here, never stored: only an accepted form's photos are kept (accept.py).

The request's limit is what a full form can honestly weigh: `photos per item * returnable
lines * photo limit`, plus the body limit of every other request for the fields. A refused
form sends nothing back to keep, so the customer chooses the photos again.

Fields are per order line by index (`qty-0`, `reason-0`, `photos-0`, …), so no sku, whatever
characters it holds, becomes part of a field name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from domain.errors import DomainError, ErrorCode
from domain.photos import ImageKind, PhotoLimits
from pages.portal import csrf
from pages.portal.i18n import Translator

MAX_FIELD_CHARS = 10_000
CHUNK = 64 * 1024
FIXED_PARTS = 32  # csrf, submission, method, address, comment, … with room to spare
PARTS_PER_LINE = 8  # sku, qty, reason, comment, condition and an empty file input


class FormRefused(Exception):
    """Nothing more of this form is read: it is not this page's (FORBIDDEN), it is larger
    than any honest form (LIMIT_EXCEEDED), or it is not multipart at all (INVALID_INPUT)."""

    def __init__(self, code: ErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


@dataclass
class FormState:
    """What the customer sent, how many photos each line carried, what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    photos_sent: Counter[int] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


@dataclass(frozen=True)
class Upload:
    """A photo that passed its checks, held until the form is accepted."""

    index: int
    data: bytes
    kind: ImageKind


@dataclass(frozen=True)
class FormRules:
    photos: PhotoLimits
    photo_lines: frozenset[int]  # the lines that may carry photos: the returnable ones
    all_lines: int
    field_bytes: int  # what the fields may weigh: the body limit of every other request
    genuine: Callable[[str], bool]  # the CSRF field's check

    @property
    def max_bytes(self) -> int:
        photos = self.photos.max_per_item * len(self.photo_lines) * self.photos.max_bytes
        return photos + self.field_bytes

    @property
    def max_parts(self) -> int:
        per_line = PARTS_PER_LINE + self.photos.max_per_item
        return FIXED_PARTS + self.all_lines * per_line


async def read_form(
    request: web.Request, rules: FormRules, t: Translator
) -> tuple[FormState, list[Upload]]:
    if request.content_type != "multipart/form-data":
        posted = await request.post()  # within the body limit of every request
        state = FormState(
            values={k: str(v)[:MAX_FIELD_CHARS] for k, v in posted.items() if isinstance(v, str)}
        )
        if not rules.genuine(state.value(csrf.FIELD)):
            raise FormRefused(ErrorCode.FORBIDDEN)
        return state, []
    try:
        return await _Reader(request, rules, t).read()
    except (ValueError, HttpProcessingError):  # aiohttp's word for a broken multipart body
        raise FormRefused(ErrorCode.INVALID_INPUT) from None


class _Reader:
    """One multipart form, part by part, never more than the rules allow."""

    def __init__(self, request: web.Request, rules: FormRules, t: Translator) -> None:
        self.request, self.rules, self.t = request, rules, t
        self.state = FormState()
        self.uploads: list[Upload] = []

    async def read(self) -> tuple[FormState, list[Upload]]:
        reader = await self.request.multipart()
        await self._csrf_first(reader)
        if (self.request.content_length or 0) > self.rules.max_bytes:
            raise FormRefused(ErrorCode.LIMIT_EXCEEDED)
        for _ in range(self.rules.max_parts):
            part = await reader.next()
            if part is None:
                return self.state, self.uploads
            if isinstance(part, BodyPartReader):
                await self._part(part)
        raise FormRefused(ErrorCode.LIMIT_EXCEEDED)

    async def _csrf_first(self, reader: MultipartReader) -> None:
        """Before a byte of anything else: is this form the one our page gave out?"""
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != csrf.FIELD or part.filename:
            raise FormRefused(ErrorCode.FORBIDDEN)
        value, too_big = await self._bytes(part, csrf.MAX_FIELD_CHARS)
        if too_big or not self.rules.genuine(value.decode(errors="replace")):
            raise FormRefused(ErrorCode.FORBIDDEN)

    async def _part(self, part: BodyPartReader) -> None:
        name = part.name or ""
        if name.startswith("photos-") and part.filename is not None:
            await self._photo(part, _index(name))
        else:
            data, _ = await self._bytes(part, MAX_FIELD_CHARS * 4)
            self.state.values[name] = data.decode(errors="replace")[:MAX_FIELD_CHARS]

    async def _photo(self, part: BodyPartReader, index: int) -> None:
        """Keep a photo in memory only if its line takes photos and has room for it."""
        where, limits = f"photos-{index}", self.rules.photos
        data, too_big = await self._bytes(part, limits.max_bytes)
        if not data and not too_big:
            return  # a file input left empty
        if index not in self.rules.photo_lines:
            self.state.fail("items", self.t("err_order_changed"))
        elif self.state.photos_sent[index] >= limits.max_per_item:
            self.state.fail(where, self.t("err_photo_count", n=limits.max_per_item))
        elif too_big:
            self.state.fail(where, self.t("err_photo_size", mb=_megabytes(limits)))
        else:
            self._hold(index, data)

    def _hold(self, index: int, data: bytes) -> None:
        where = f"photos-{index}"
        try:
            kind = self.rules.photos.check(data, field=where)
        except DomainError:
            self.state.fail(where, self.t("err_photo_type"))
            return
        self.state.photos_sent[index] += 1
        self.uploads.append(Upload(index, data, kind))

    async def _bytes(self, part: BodyPartReader, limit: int) -> tuple[bytes, bool]:
        """At most `limit` bytes of a part; past it the part is read and dropped, never
        held, and the request stops at its own limit."""
        chunks, size = [], 0
        while chunk := await part.read_chunk(CHUNK):
            if self.request.content.total_bytes > self.rules.max_bytes:
                raise FormRefused(ErrorCode.LIMIT_EXCEEDED)
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
        return (b"", True) if size > limit else (b"".join(chunks), False)


def _megabytes(limits: PhotoLimits) -> str:
    return f"{limits.max_bytes / 1024 / 1024:g}"


def _index(name: str) -> int:
    suffix = name.rsplit("-", 1)[-1]
    return int(suffix) if suffix.isdigit() and len(suffix) < 5 else -1
