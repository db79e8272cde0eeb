"""Signed copies of authorisations: size limit and content sniffing.

The file's own bytes decide what it is, never its name or the browser's
claimed type. Only PDF, PNG and JPEG are kept; a PDF that carries scripts,
launch actions or embedded files is refused (a scanned letter needs none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)

#: PDF names that run code or carry other files.
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z])")


class UploadRefused(ValueError):
    """The upload is not kept; ``str(error)`` is the message for the person."""


@dataclass(frozen=True)
class Sniffed:
    data: bytes
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(getattr(settings, "SIGNED_COPY_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_limited(upload: UploadedFile, limit: int) -> bytes:
    """At most ``limit`` bytes; refused when the file holds more."""
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            _("The file is larger than %(mb).1f MB. Scan it at a lower resolution.")
            % {"mb": limit / (1024 * 1024)}
        )
    return data


def sniff(data: bytes) -> Sniffed:
    """What the bytes are, or :class:`UploadRefused` with the reason."""
    if not data:
        raise UploadRefused(_("The file is empty."))
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            if content_type == "application/pdf" and PDF_ACTIVE.search(data):
                raise UploadRefused(
                    _("This PDF contains scripts or embedded files. Upload a plain scan instead.")
                )
            return Sniffed(data, content_type, extension)
    raise UploadRefused(
        _("Only PDF, PNG or JPEG files are accepted (a scan or photo of the letter).")
    )


def accept(upload: UploadedFile) -> Sniffed:
    return sniff(read_limited(upload, max_bytes()))
