"""The authorisation request letter: one translatable template, two file formats.

The text comes from ``objectives/letters/request.txt`` rendered in the
language asked for; paragraphs are separated by blank lines, lines inside a
paragraph kept. DOCX (python-docx) takes any script; the PDF (fpdf2, its
built-in Helvetica) takes the Windows-1252 characters of Western European
languages, and says so when a name needs more: the DOCX is the way then.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from peerlearn.objectives.models import Authorisation

#: Fields without which a letter cannot be written, with their labels.
REQUIRED = ("authoriser_name", "authoriser_role", "authoriser_organisation", "grants")

PDF_ENCODING = "windows-1252"


class LetterRefused(ValueError):
    """No letter: ``str(error)`` says what to fix."""


def missing_fields(authorisation: Authorisation) -> list[str]:
    """Labels of the required fields still empty."""
    fields = {f.name: f for f in Authorisation._meta.concrete_fields}
    return [
        str(fields[name].verbose_name)
        for name in REQUIRED
        if not str(getattr(authorisation, name)).strip()
    ]


def _members(authorisation: Authorisation) -> str:
    if authorisation.group is not None:
        return ", ".join(p.name for p in authorisation.group.members.order_by("name"))
    return authorisation.person.name if authorisation.person else ""


def paragraphs(authorisation: Authorisation, language: str) -> list[str]:
    """The letter's paragraphs in ``language``; :class:`LetterRefused` if fields are missing."""
    missing = missing_fields(authorisation)
    if missing:
        raise LetterRefused(
            _("The letter needs these fields first: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    programme = authorisation.programme
    with translation.override(language):
        text = render_to_string(
            "objectives/letters/request.txt",
            {
                "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
                "authoriser_name": authorisation.authoriser_name.strip(),
                "authoriser_role": authorisation.authoriser_role.strip(),
                "authoriser_organisation": authorisation.authoriser_organisation.strip(),
                "grants": authorisation.grants.strip(),
                "group_name": authorisation.group.name if authorisation.group else "",
                "members": _members(authorisation),
                "programme": programme.name,
                "sender": str(programme.facilitating_organisation or programme.name),
            },
        )
    return [block.strip() for block in text.split("\n\n") if block.strip()]


def docx_bytes(blocks: list[str]) -> bytes:
    """The letter as a Word document: a heading, then one paragraph per block."""
    from docx import Document

    document = Document()
    document.add_heading(blocks[0], level=1)
    for block in blocks[1:]:
        paragraph = document.add_paragraph()
        for i, line in enumerate(block.split("\n")):
            if i:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(blocks: list[str]) -> bytes:
    """The letter as a PDF; :class:`LetterRefused` when a character is beyond the font."""
    from fpdf import FPDF

    for block in blocks:
        try:
            block.encode(PDF_ENCODING)
        except UnicodeEncodeError as error:
            raise LetterRefused(
                _(
                    'The PDF cannot show the character "%(char)s"; '
                    "download the Word version instead."
                )
                % {"char": block[error.start]}
            ) from error
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, blocks[0])
    pdf.ln(4)
    pdf.set_font("helvetica", size=11)
    for block in blocks[1:]:
        pdf.multi_cell(0, 6, block)
        pdf.ln(3)
    return bytes(pdf.output())
