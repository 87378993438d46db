"""Checks on uploaded files: size, extension, magic bytes, and ZIP-bomb limits (ASVS 5.2)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cchc_portal.lib.imports import FileRefused, Limits, check_workbook_zip

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"

# extension -> (content type, magic check, ZIP member that must exist for OOXML)
EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-"), None),
    ".doc": ("application/msword", lambda head: head.startswith(OLE), None),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda head: head.startswith(ZIP),
        "word/document.xml",
    ),
    ".xls": ("application/vnd.ms-excel", lambda head: head.startswith(OLE), None),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda head: head.startswith(ZIP),
        "xl/workbook.xml",
    ),
    ".png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), None),
    ".jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff"), None),
    ".jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff"), None),
}

# Limits for ZIP containers (xlsx, docx): checked before anything unpacks them.
ZIP_MAX_ENTRIES = 200
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100


def limit(name: str, default: int) -> int:
    return int(settings.CCHC.get(name, default))


def check_zip(fileobj, required_member: str | None = None) -> None:
    """Reject ZIP bombs and containers of the wrong kind (macros included): the import toolkit's check."""
    limits = Limits(
        zip_max_parts=limit("ZIP_MAX_ENTRIES", ZIP_MAX_ENTRIES),
        zip_max_uncompressed=limit("ZIP_MAX_UNCOMPRESSED", ZIP_MAX_UNCOMPRESSED),
        zip_max_ratio=limit("ZIP_MAX_RATIO", ZIP_MAX_RATIO),
    )
    fileobj.seek(0)
    try:
        check_workbook_zip(fileobj, limits, required_member or "[Content_Types].xml")
    except FileRefused as exc:
        raise ValidationError(exc.message) from None
    finally:
        fileobj.seek(0)


def validate_evidence(upload) -> str:
    """Returns the content type to store; raises ValidationError with a message in the user's language."""
    import os

    max_bytes = limit("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(
            _("“%(name)s”: only PDF, Word, Excel and image (PNG, JPEG) files are accepted.") % {"name": upload.name}
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name})
    content_type, magic_ok, member = EVIDENCE_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not magic_ok(head):
        raise ValidationError(_("“%(name)s” is not really a %(ext)s file.") % {"name": upload.name, "ext": ext})
    if member:
        check_zip(upload, member)
    return content_type
