"""Uploaded files kept in private storage: one set of checks and one abstract model for every app.

Task evidence, report attachments and criterion evidence all go through `StoredFile.store()`, so a file
is checked the same way (size, extension, magic bytes, ZIP-bomb limits: ASVS 5.2) whichever page took it.
"""

from __future__ import annotations

import hashlib
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc_portal.lib.imports import FileRefused, Limits, check_workbook_zip


class PrivateStorage(FileSystemStorage):
    """Evidence and uploaded imports: under MEDIA_ROOT/private, never served by URL.

    Downloads go through views that check the user's scope (e.g. `tasks:evidence_download`).
    """

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    @cached_property
    def base_url(self):
        return None

    def url(self, name):  # pragma: no cover - guard
        raise NotImplementedError("private files are served by a permission-checked view")


private_storage = PrivateStorage()

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"

# extension -> (content type, magic check, ZIP member that must exist for OOXML)
UPLOAD_TYPES = {
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
PREVIEWABLE_TYPES = ("application/pdf", "image/png", "image/jpeg")

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


def validate_upload(upload) -> str:
    """Returns the content type to store; raises ValidationError with a message in the user's language."""
    max_bytes = limit("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in UPLOAD_TYPES:
        raise ValidationError(
            _("“%(name)s”: only PDF, Word, Excel and image (PNG, JPEG) files are accepted.") % {"name": upload.name}
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name})
    content_type, magic_ok, member = UPLOAD_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not magic_ok(head):
        raise ValidationError(_("“%(name)s” is not really a %(ext)s file.") % {"name": upload.name, "ext": ext})
    if member:
        check_zip(upload, member)
    return content_type


class StoredFile(models.Model):
    """What every stored upload keeps besides the file itself (which each model declares with its own path)."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    def store(self, upload) -> None:
        """Check the upload and put it in private storage with its metadata; the caller saves the row."""
        self.content_type = validate_upload(upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        self.original_name = os.path.basename(upload.name)[:255]
        self.size = upload.size
        self.sha256 = digest.hexdigest()
        self.file.save(upload.name, upload, save=False)

    def copy_metadata(self, other: StoredFile) -> None:
        """A row that points at another stored file (a link) carries its name, type, size and digest."""
        self.original_name, self.content_type = other.original_name, other.content_type
        self.size, self.sha256 = other.size, other.sha256

    @property
    def size_display(self) -> str:
        return filesizeformat(self.size)  # Django's, in the reader's language: "1,5 KB"

    @property
    def previewable(self) -> bool:
        return self.content_type in PREVIEWABLE_TYPES
