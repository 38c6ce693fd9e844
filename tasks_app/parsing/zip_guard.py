"""Open an uploaded zip container (.xlsx, .docx, .pptx) without letting it choose how much it inflates.

Pure (standard library only). ``zip_open`` checks the central directory before anything is extracted
(member count, the declared uncompressed total); ``member_stream`` then reads a member through a shared
budget that counts the bytes as really decompressed, because declared sizes can lie.

    with zip_open(data, limits=ZipLimits(), error=MyError) as archive:
        budget = Budget(limits.max_uncompressed_bytes, error=MyError)
        for info in archive.infolist():
            stream = budget.wrap(archive.open(info))
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import IO

CHUNK = 256 * 1024
BOMB_MESSAGE = "文件解压后过大,拒绝读取(可能是压缩炸弹)"


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 2_000
    max_uncompressed_bytes: int = 64 * 1024 * 1024


class Budget:
    """Bytes still allowed to be decompressed across every member of one archive."""

    def __init__(self, remaining: int, *, error: type[Exception]) -> None:
        self.remaining = remaining
        self.error = error

    def wrap(self, stream: IO[bytes]) -> BudgetedStream:
        return BudgetedStream(stream, self)

    def spend(self, count: int) -> None:
        self.remaining -= count
        if self.remaining < 0:
            raise self.error(BOMB_MESSAGE)


class BudgetedStream:
    """A file-like view of a zip member that refuses to yield more than the budget allows."""

    def __init__(self, stream: IO[bytes], budget: Budget) -> None:
        self.stream = stream
        self.budget = budget

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self.stream.read(min(size if size > 0 else CHUNK, CHUNK))
        self.budget.spend(len(chunk))
        return chunk

    def drain(self) -> None:
        while self.read(CHUNK):
            pass


def zip_open(data: bytes, *, limits: ZipLimits, error: type[Exception], not_zip: str) -> zipfile.ZipFile:
    """The archive, once its directory is within the limits; ``error(not_zip)`` when it is no zip at all."""
    if not data.startswith(b"PK"):
        raise error(not_zip)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise error(not_zip) from exc
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        archive.close()
        raise error(f"压缩包内文件过多({len(infos)} 个),拒绝读取")
    if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
        archive.close()
        raise error(BOMB_MESSAGE)
    return archive
