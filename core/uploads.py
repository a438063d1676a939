"""One gate for every uploaded file, whichever page or admin form it came through.

The name a browser sends is not trusted: the type is read from the content
(filetype, by magic numbers and, for Office and OpenDocument files, the
parts inside the zip), the size is limited, and the stored name is made
here. Stored files are served only through views that check permission
(never from a public media URL), always as attachments.
"""

import uuid
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# The document types Kvarter accepts, by extension: the MIME type the content must have.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# filetype reads the start of the file; Office files name their parts within it.
HEAD_BYTES = 8192


def checked_upload(
    upload: UploadedFile, *, types: dict[str, str] = DOCUMENT_TYPES, max_bytes: int = MAX_DOCUMENT_BYTES
) -> str:
    """Check an upload's size and content; answer the extension it will be stored with.

    Raises ValidationError with a message for the person who chose the file.
    """
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in types:
        raise ValidationError(_("Upload a PDF, Word, Excel or OpenDocument file."))
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": max_bytes // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime != types[extension]:
        raise ValidationError(_("The file's content is not a %(kind)s file.") % {"kind": extension[1:].upper()})
    return extension


def stored_name(folder: str, extension: str) -> str:
    """Our own name for a stored file: nothing of the uploader's name reaches the disk."""
    return f"{folder}/{uuid.uuid4().hex}{extension}"
