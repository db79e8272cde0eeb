"""Product files: the content decides, dangerous and oversized files are refused (no database)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from peerlearn.core import uploads as files

LIMIT = 1024 * 1024


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _ooxml(main_part: str, content_type: str = "officedocument") -> bytes:
    types = (
        f'<Types><Override ContentType="application/vnd.openxmlformats-{content_type}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types.encode(), main_part: b"<x/>"})


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["land", "parcels"])
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%%EOF", "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg"),
        (_ooxml("word/document.xml"), "docx"),
        (_ooxml("ppt/presentation.xml"), "pptx"),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "odt",
        ),
    ],
)
def test_accepted_kinds(data, kind):
    assert files.sniff(data, "anything.bin", max_bytes=LIMIT).kind == kind


def test_a_real_workbook_is_xlsx():
    assert files.sniff(_xlsx(), "numbers.xlsx", max_bytes=LIMIT).kind == "xlsx"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"MZ\x90\x00\x03", files.TYPE),  # a Windows program named .pdf
        (b"#!/bin/sh\nrm -rf /\n", files.TYPE),
        (b"<html><script>alert(1)</script></html>", files.TYPE),
        (_zip({"evil.exe": b"MZ"}), files.TYPE),  # a plain zip archive
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), files.TYPE),
    ],
)
def test_dangerous_or_unknown_content_is_refused(data, error):
    assert files.sniff(data, "report.pdf", max_bytes=LIMIT).error == error


def test_office_files_with_macros_are_refused():
    with_vba = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<x/>",
            "word/vbaProject.bin": b"\x00",
        }
    )
    macro_type = _ooxml("word/document.xml", content_type="macroEnabled")
    assert files.sniff(with_vba, "a.docx", max_bytes=LIMIT).error == files.MACROS
    assert files.sniff(macro_type, "a.docm", max_bytes=LIMIT).error == files.MACROS


def test_pdf_with_javascript_is_refused():
    data = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    assert files.sniff(data, "a.pdf", max_bytes=LIMIT).error == files.ACTIVE_PDF


def test_size_limit_and_zip_bomb():
    assert files.sniff(b"%PDF-" + b"0" * 100, "a.pdf", max_bytes=50).error == files.TOO_LARGE
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * 10_000_000})
    assert len(bomb) < 100_000
    assert files.sniff(bomb, "a.docx", max_bytes=100_000).error == files.TOO_LARGE


def test_damaged_zip_and_empty_file():
    assert files.sniff(b"PK\x03\x04broken", "a.docx", max_bytes=LIMIT).error == files.DAMAGED
    assert files.sniff(b"", "a.pdf", max_bytes=LIMIT).error == files.EMPTY


def test_stored_name_takes_the_real_extension():
    sniffed = files.sniff(b"%PDF-1.7", "Plan final.docx", max_bytes=LIMIT)
    assert sniffed.stored_name("Plan final.docx") == "Plan final.pdf"
    assert sniffed.content_type == "application/pdf"


def test_a_pdf_carrying_embedded_files_is_refused_as_a_signed_copy_is():
    """Products and signed authorisations share one PDF rule."""
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>"
    assert files.sniff(data, "a.pdf", max_bytes=LIMIT).error == files.ACTIVE_PDF
