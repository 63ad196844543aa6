"""The default PhotoStore: files in a local folder, one sub-folder per tenant, named by a
random id (new_photo_id). Configure the folder with RETURNS_PHOTO_DIR; another store
(S3 and the like) only has to keep the same two methods."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.photos import PHOTO_ID, ImageKind, new_photo_id


class LocalPhotoStore:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    async def save(
        self, tenant_id: str, data: bytes, kind: ImageKind, photo_id: str | None = None
    ) -> str:
        photo_id = photo_id or new_photo_id(kind)
        if not PHOTO_ID.fullmatch(photo_id) or not photo_id.endswith(f".{kind.value}"):
            raise ValueError(f"not a photo id for a {kind.value} photo")
        await asyncio.to_thread(self._write, self._path(tenant_id, photo_id), data)
        return photo_id

    async def load(self, tenant_id: str, photo_id: str) -> tuple[bytes, ImageKind] | None:
        if not PHOTO_ID.fullmatch(photo_id):
            return None  # also what keeps "../" and other paths out
        path = self._path(tenant_id, photo_id)
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return data, ImageKind(photo_id.rsplit(".", 1)[1])

    def _path(self, tenant_id: str, photo_id: str) -> Path:
        if not tenant_id or "/" in tenant_id or tenant_id.startswith("."):
            raise ValueError(f"not a tenant id: {tenant_id!r}")
        return self.directory / tenant_id / photo_id

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
