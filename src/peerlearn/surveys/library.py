"""Putting instruments into a programme: XLSForm uploads and built-in instruments.

Both paths parse the workbook with :func:`read_xlsform` (pyxform plus our own
checks); a workbook with any problem raises :class:`XLSFormInvalid` and nothing
is stored.  Re-importing a workbook whose ``form_id`` and ``version`` already
exist in the programme is refused: change the version in the settings sheet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme
from peerlearn.surveys.instruments import BUILT_IN, path
from peerlearn.surveys.models import Instrument
from peerlearn.surveys.xlsform import read_xlsform, to_dict

#: Anonymity each built-in instrument starts with (facilitators can change it).
BUILT_IN_ANONYMITY = {
    "intake": "identified",
    "pulse": "anonymous",
    "partnership_health": "pseudonymous",
    "capabilities": "pseudonymous",
    "followup_3m": "pseudonymous",
    "followup_6m": "pseudonymous",
    "end_review": "pseudonymous",
    "peer_contact": "pseudonymous",
}


def max_unpacked_bytes() -> int:
    """Most bytes an uploaded XLSForm may unpack to (``PEERLEARN_XLSFORM_MAX_UNPACKED_BYTES``)."""
    return int(getattr(settings, "XLSFORM_MAX_UNPACKED_BYTES", 50 * 1024 * 1024))


class DuplicateInstrument(ValueError):
    """The programme already holds this form id and version."""


def import_xlsform(
    programme: Programme,
    data: bytes,
    *,
    filename: str = "",
    anonymity: str = "pseudonymous",
    builtin: str = "",
    created_by: Person | None = None,
) -> Instrument:
    """Parse ``data`` and store it as an instrument of ``programme``.

    Raises
    ------
    XLSFormInvalid
        Every problem with sheet, row and column; nothing stored.
    DuplicateInstrument
        The same ``form_id`` and ``version`` is already in the programme.
    """
    form = read_xlsform(data, max_unpacked=max_unpacked_bytes(), filename=filename or None)
    try:
        with transaction.atomic():
            return Instrument.objects.create(
                programme=programme,
                title=form.title or form.form_id,
                form_id=form.form_id,
                version=form.version,
                builtin=builtin,
                anonymity=anonymity,
                definition=to_dict(form),
                source_xlsx=data,
                source_filename=filename,
                created_by=created_by,
            )
    except IntegrityError:
        raise DuplicateInstrument(
            f"this programme already has form '{form.form_id}' version '{form.version}'"
        ) from None


def install_builtin(
    programme: Programme, name: str, *, created_by: Person | None = None
) -> Instrument:
    """Install (or return the already installed) built-in instrument ``name``."""
    if name not in BUILT_IN:
        raise KeyError(name)
    existing = Instrument.objects.filter(programme=programme, builtin=name).order_by("pk").first()
    if existing is not None:
        return existing
    data = path(name).read_bytes()
    return import_xlsform(
        programme,
        data,
        filename=f"{name}.xlsx",
        anonymity=BUILT_IN_ANONYMITY.get(name, "pseudonymous"),
        builtin=name,
        created_by=created_by,
    )
