"""Signed copies of authorisations: size limit and content sniffing.

The file's own bytes decide what it is, never its name or the browser's
claimed type. Only PDF, PNG and JPEG are kept; a PDF that carries scripts,
launch actions or embedded files is refused (a scanned letter needs none).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from peerlearn.core import uploads as files

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

#: What a signed copy may be (a scan or a photo); the bytes are read by the
#: same sniffer as group products (``peerlearn.core.uploads``).
KEPT_KINDS = ("pdf", "png", "jpg")


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
    found = files.sniff(data, "", max_bytes=len(data))  # the size was checked on reading
    if found.error == files.ACTIVE_PDF:
        raise UploadRefused(
            _("This PDF contains scripts or embedded files. Upload a plain scan instead.")
        )
    if found.kind in KEPT_KINDS:
        return Sniffed(data, found.content_type, found.kind)
    raise UploadRefused(
        _("Only PDF, PNG or JPEG files are accepted (a scan or photo of the letter).")
    )


def accept(upload: UploadedFile) -> Sniffed:
    return sniff(read_limited(upload, max_bytes()))
