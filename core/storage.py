"""Attachments: size and type limits enforced on the server, files kept outside static/, served
only through views that have checked permission, always as downloads with nosniff."""
from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import Response, send_file
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.errors import DomainError
from core.extensions import db
from core.models import created, intpk

# Extensions people in city halls actually exchange; areas narrow this per use.
DEFAULT_ALLOWED = frozenset({"pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "txt", "csv", "png", "jpg",
                             "jpeg", "gif", "zip", "md"})
# First bytes of formats we accept, to refuse a renamed executable or HTML page.
_MAGIC = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "pptx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",), "ppt": (b"\xd0\xcf\x11\xe0",),
}
_TEXT_TYPES = {"txt", "csv", "md"}


class StoredFile(db.Model):  # type: ignore[name-defined]
    """One uploaded file. The bytes live in UPLOAD_DIR under ``storage_key``; the name is only a label."""

    __tablename__ = "stored_file"

    id: Mapped[intpk]
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)  # random, never user-controlled
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created]

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.original_name!r}>"

    @property
    def extension(self) -> str:
        return extension_of(self.original_name)


@dataclass(frozen=True)
class UploadRules:
    allowed: frozenset[str] = DEFAULT_ALLOWED
    max_bytes: int = 20 * 1024 * 1024


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def clean_filename(name: str) -> str:
    """A display name safe for headers and file systems; keeps Japanese characters."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/"))).strip()
    name = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "_", name)
    return name[:200] or "file"


def store(session: Session, stream: IO[bytes], filename: str, *, rules: UploadRules, upload_dir: str,
          uploaded_by_id: int | None) -> StoredFile:
    """Check and keep an upload. Raises DomainError("file_type"|"file_size"|"file_empty", field=None)."""
    name = clean_filename(filename)
    ext = extension_of(name)
    if ext not in rules.allowed:
        raise DomainError("file_type")
    data = stream.read(rules.max_bytes + 1)
    if len(data) > rules.max_bytes:
        raise DomainError("file_size")
    if not data:
        raise DomainError("file_empty")
    magic = _MAGIC.get(ext)
    if magic and not data.startswith(magic):
        raise DomainError("file_type")
    if ext in _TEXT_TYPES and b"\x00" in data[:4096]:
        raise DomainError("file_type")
    key = secrets.token_hex(20)
    folder = Path(upload_dir) / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(data)
    row = StoredFile(storage_key=key, original_name=name,
                     content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                     size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=uploaded_by_id)
    session.add(row)
    session.flush()
    return row


def path_of(stored: StoredFile, upload_dir: str) -> Path:
    return Path(upload_dir) / stored.storage_key[:2] / stored.storage_key


def read_bytes(stored: StoredFile, upload_dir: str) -> bytes:
    return path_of(stored, upload_dir).read_bytes()


def download(stored: StoredFile, upload_dir: str, *, last_modified: datetime | None = None) -> Response:
    """Serve as an attachment with the original (UTF-8) name; the caller has checked permission."""
    response: Response = send_file(path_of(stored, upload_dir), mimetype="application/octet-stream",
                                   as_attachment=True, download_name=stored.original_name,
                                   last_modified=last_modified or stored.created_at, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} B"


__all__ = ["StoredFile", "UploadRules", "store", "download", "read_bytes", "path_of", "human_size", "Any"]
