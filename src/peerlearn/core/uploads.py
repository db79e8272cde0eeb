"""Which uploaded files are accepted (products, evidence, scans): the content decides.

No Django here.

A product may be a PDF, a Word, Excel or PowerPoint file (Office Open XML),
an OpenDocument text, or a PNG or JPEG image. Anything else is refused,
whatever it is called: programs, scripts, web pages, archives, and Office
files with macros (a ``vbaProject.bin`` part, the "macro-enabled" types).
PDFs carrying JavaScript, a launch action or embedded files are refused too. Office and
OpenDocument files are zip archives: their declared unpacked size is checked
against :data:`MAX_EXPANSION` times the limit before anything is read (a zip
bomb). The stored name keeps the person's stem with the extension of what
the file really is.

>>> sniff(b"%PDF-1.7 ...", "report.pdf", max_bytes=1000).kind
'pdf'
>>> sniff(b"MZ\\x90\\x00", "report.pdf", max_bytes=1000).error
'type'
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

#: Unpacked parts of an Office file may be at most this many times the limit.
MAX_EXPANSION = 50

#: kind -> (extension, content type)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": (".pdf", "application/pdf"),
    "png": (".png", "image/png"),
    "jpg": (".jpg", "image/jpeg"),
    "docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odt": (".odt", "application/vnd.oasis.opendocument.text"),
}

#: Error codes (the form turns them into sentences).
EMPTY = "empty"
TOO_LARGE = "too_large"
TYPE = "type"
MACROS = "macros"
ACTIVE_PDF = "active_pdf"
DAMAGED = "damaged"

_OOXML_PARTS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)
#: PDF names that run code or carry other files (also used for signed
#: authorisations, ``peerlearn.objectives.uploads``).
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z])")


@dataclass(frozen=True)
class Sniffed:
    """What a file is (``kind``) or why it is refused (``error``)."""

    kind: str = ""
    error: str = ""

    @property
    def filename_extension(self) -> str:
        return KINDS[self.kind][0]

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][1]

    def stored_name(self, filename: str) -> str:
        """``filename``'s stem with the extension of the real kind.

        >>> Sniffed(kind="pdf").stored_name("C:\\\\Users\\\\x\\\\Plan final.docx")
        'Plan final.pdf'
        """
        stem = PurePath(filename.replace("\\", "/")).stem.strip() or "product"
        return f"{stem[:150]}{self.filename_extension}"


def sniff(data: bytes, filename: str, *, max_bytes: int) -> Sniffed:
    """Decide whether ``data`` is an accepted product file.

    >>> sniff(b"", "x.pdf", max_bytes=10).error
    'empty'
    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n" + b"0" * 20, "x.png", max_bytes=10).error
    'too_large'
    """
    if not data:
        return Sniffed(error=EMPTY)
    if len(data) > max_bytes:
        return Sniffed(error=TOO_LARGE)
    if data.startswith(b"%PDF-"):
        return Sniffed(error=ACTIVE_PDF) if PDF_ACTIVE.search(data) else Sniffed(kind="pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(kind="png")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed(kind="jpg")
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, max_bytes)
    return Sniffed(error=TYPE)


def _sniff_zip(data: bytes, max_bytes: int) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return Sniffed(error=DAMAGED)
    if sum(i.file_size for i in infos) > MAX_EXPANSION * max_bytes:
        return Sniffed(error=TOO_LARGE)
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return Sniffed(error=MACROS)
    if "mimetype" in names:
        try:
            mimetype = archive.read("mimetype").strip()
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return Sniffed(error=DAMAGED)
        if mimetype == b"application/vnd.oasis.opendocument.text":
            return Sniffed(kind="odt")
        return Sniffed(error=TYPE)
    if "[Content_Types].xml" not in names:
        return Sniffed(error=TYPE)
    try:
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return Sniffed(error=DAMAGED)
    if b"macroEnabled" in types:
        return Sniffed(error=MACROS)
    for part, kind in _OOXML_PARTS:
        if part in names:
            return Sniffed(kind=kind)
    return Sniffed(error=TYPE)
