"""Keeping an uploaded file on disk, with a size cap (account imports, signal imports)."""
from __future__ import annotations

from pathlib import Path


def upload_write(file, path: Path, *, max_bytes: int) -> int:
    """Copy a Django upload (or any binary file object) to `path` in 1 MB pieces, stopping past
    `max_bytes`. Returns the bytes seen; when that is 0 or over the cap the file is removed
    again, and the caller says why."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with path.open("wb") as out:
        chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1024 * 1024), b"")
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                break
            out.write(chunk)
    if size == 0 or size > max_bytes:
        path.unlink(missing_ok=True)
    return size
