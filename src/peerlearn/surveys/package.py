"""Every survey's responses, a codebook and the XLSForms, for the evaluator's data package.

Decisions
---------
* **The exports' rules, not new ones**: each survey's rows are those of
  :func:`peerlearn.surveys.exports.export_rows` for the reader (the published
  batches only, :mod:`peerlearn.surveys.publication`; fewer than k responses
  give a header and no rows; a question answered by fewer than k is blank;
  small breakdown values are written as ``[suppressed]``).  Names and e-mail
  addresses appear only for identified instruments and readers the survey
  pages show them to (:func:`peerlearn.surveys.permissions.sees_identities`).
* **Codes and labels**: ``survey_<id>`` holds the stored codes (a
  select_multiple also split into one 0/1 column per choice, as Kobo does),
  ``survey_<id>_labels`` the same rows with the labels; ``survey_codebook``
  lists every variable and code of every survey.
* **One pseudonym**: the ``_pseudonym`` of a pseudonymous survey is written as
  the package's person id (:func:`peerlearn.core.tabular.pseudonym`), so a
  person's answers join the ``people`` table and other surveys; a code of
  someone who has no invitation to that survey any more is left blank.
* **Files**: the XLSForm of each instrument used (as imported, else written
  from its definition), and an SPSS ``.sav`` and Stata ``.dta`` per survey
  with variable and value labels (:func:`~peerlearn.surveys.exports.write_statistical`).
* **Cohort packages** (``COHORT_SCOPED``, see ``programmes/package_scope.py``) hold
  the surveys of their cohorts only, never a programme-wide survey.
* **Feeds** (``api/feeds.py``) read the same surveys (:func:`scoped_surveys`),
  plans (:func:`plan_for`, with the export's options) and rows
  (:func:`response_rows`), so a feed and the package agree cell for cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from peerlearn.core.files import PackageFile, safe_name
from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.programmes.package_scope import PackageScope, package_scope
from peerlearn.programmes.permissions import Access
from peerlearn.surveys.exports import (
    CODEBOOK_HEADER,
    ExportPlan,
    codebook_rows,
    export_plan,
    export_rows,
    write_statistical,
)
from peerlearn.surveys.identity import pseudonym_for
from peerlearn.surveys.models import Invitation, Survey
from peerlearn.surveys.permissions import reads_survey, sees_identities

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def readable_surveys(programme: Programme, access: Access) -> list[Survey]:
    surveys = Survey.objects.filter(programme=programme).select_related("instrument")
    return [s for s in surveys.order_by("pk") if reads_survey(access, s)]


def in_scope(scope: PackageScope, survey: Survey) -> bool:
    """A survey of the reader's package: one they read, of the scope's cohorts."""
    return (
        survey.programme_id == scope.programme.pk
        and reads_survey(scope.access, survey)
        and scope.holds_cohort(survey.cohort_id)
    )


def scoped_surveys(scope: PackageScope) -> list[Survey]:
    """The surveys of the reader's package (:func:`in_scope`), in id order."""
    surveys = Survey.objects.filter(programme=scope.programme).select_related("instrument")
    return [s for s in surveys.order_by("pk") if in_scope(scope, s)]


def plan_for(
    survey: Survey,
    access: Access,
    values: str,
    *,
    headers: str = "names",
    split_multiple: bool = True,
    language: str | None = None,
) -> ExportPlan:
    """The plan the survey's export page makes for this reader (split select_multiple)."""
    names = sees_identities(access, survey)
    return export_plan(
        survey,
        values="codes" if values == "codes" else "labels",
        language=language,
        with_names=names,
        with_emails=names and access.sees_contact_of([survey.cohort_id]),
        headers="paths" if headers == "paths" else "names",
        split_multiple=split_multiple,
        # The codes and labels plans (and the next feed read) count the same answers once.
        reuse_counts=True,
    )


def _package_ids(survey: Survey) -> dict[str, str]:
    """Survey pseudonym -> package pseudonym, over the survey's invited people."""
    programme = survey.programme
    people = Invitation.objects.filter(survey=survey).values_list("person_id", flat=True)
    return {pseudonym_for(programme.pk, pid): pseudonym(programme, pid) for pid in people}


def _columns(plan: ExportPlan) -> list[Column]:
    flags = {c.header for c in plan.question_columns() if c.choice is not None}
    columns = []
    for name in plan.header():
        if name == "_response":
            columns.append(Column(name, "integer", "Response number in this table"))
        elif name == "_index":
            columns.append(Column(name, "integer", "Number of this repeated answer"))
        elif name == "_parent_index":
            columns.append(Column(name, "integer", "The _response of its main row"))
        elif name == "_pseudonym":
            columns.append(Column(name, "string", "Pseudonym (people.person)"))
        elif name in flags:
            columns.append(Column(name, "integer", "1 if this choice was selected, else 0"))
        else:
            columns.append(Column(name, "string"))
    return columns


def response_rows(plan: ExportPlan) -> Iterator[list[object]]:
    """The export's rows, with a pseudonymous survey's codes as the package's person ids."""
    header = plan.header()
    at = header.index("_pseudonym") if "_pseudonym" in header else None
    ids = _package_ids(plan.survey) if at is not None else {}
    for row in export_rows(plan):
        if at is not None:
            row[at] = ids.get(str(row[at]), "")
        yield row


def _responses(survey: Survey, plan: ExportPlan, suffix: str, what: str) -> Table:
    notes = " ".join(plan.explanations())
    return Table(
        name=f"survey_{survey.pk}{suffix}",
        title=f"{survey.title} ({what})",
        description=f"Responses to {survey.instrument.title}. {notes}".strip(),
        columns=_columns(plan),
        rows=response_rows(plan),
        primary_key=["_response"],
    )


def feed_table(plan: ExportPlan) -> Table:
    """One survey table of a flat feed: the responses, or (a repeat's plan) its linked table.

    The same columns and rows as the package's ``survey_<id>`` for the same
    plan; a repeat's rows are the export's (``_index``, ``_parent_index``).
    """
    survey = plan.survey
    name = f"survey_{survey.pk}" + (f"_{plan.repeat}" if plan.repeat else "")
    return Table(
        name=name,
        title=survey.title + (f" ({plan.repeat})" if plan.repeat else ""),
        columns=_columns(plan),
        rows=export_rows(plan) if plan.repeat else response_rows(plan),
        primary_key=["_index" if plan.repeat else "_response"],
    )


def _surveys(surveys: list[Survey], plans: dict[int, ExportPlan]) -> Table:
    def records():
        for survey in surveys:
            plan = plans[survey.pk]
            instrument = survey.instrument
            yield [
                survey.pk,
                survey.title,
                survey.cohort_id,
                instrument.form_id,
                instrument.version,
                instrument.anonymity,
                plan.k,
                survey.opens_at,
                survey.closes_at,
                survey.cancelled_at is not None,
                plan.responses,
                plan.suppressed,
                plan.note(),
            ]

    return Table(
        name="surveys",
        title="Surveys",
        description="Each survey, its instrument and what was held back.",
        columns=[
            Column("id", "integer", "The survey's tables are survey_<id> and survey_<id>_labels"),
            Column("title", "string"),
            Column("cohort_id", "integer", "cohorts.id, empty for the whole programme"),
            Column("form_id", "string", "XLSForm form id (instruments/<form_id>.xlsx)"),
            Column("version", "string"),
            Column("anonymity", "string", "identified, pseudonymous or anonymous"),
            Column("k", "integer", "Fewest respondents before anything is shown"),
            Column("opens_at", "datetime"),
            Column("closes_at", "datetime"),
            Column("cancelled", "boolean"),
            Column("responses", "integer", "Published responses"),
            Column("suppressed", "boolean", "Fewer than k responses: no rows"),
            Column("held_back", "string", "What k-suppression held back"),
        ],
        rows=records(),
        primary_key=["id"],
        foreign_keys={"cohort_id": ("cohorts", "id")},
    )


def _codebook(surveys: list[Survey], plans: dict[int, ExportPlan]) -> Table:
    def records():
        for survey in surveys:
            plan = plans[survey.pk]
            book = codebook_rows(
                plan.form, None, plan.meta_columns(), split_multiple=plan.split_multiple
            )
            for line in book[1:]:
                yield [survey.pk, *line]

    return Table(
        name="survey_codebook",
        title="Survey codebook",
        description="Every variable of every survey table, then each of its codes and labels.",
        columns=[Column("survey_id", "integer", "surveys.id")]
        + [Column(name, "string") for name in CODEBOOK_HEADER],
        rows=records(),
        foreign_keys={"survey_id": ("surveys", "id")},
    )


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    access = scope.access
    surveys = scoped_surveys(scope)
    plans = {s.pk: plan_for(s, access, "codes") for s in surveys}
    out = [_surveys(surveys, plans), _codebook(surveys, plans)]
    for survey in surveys:
        out.append(_responses(survey, plans[survey.pk], "", "codes"))
        out.append(_responses(survey, plan_for(survey, access, "labels"), "_labels", "labels"))
    return out


def table_names(programme: Programme, user: User) -> list[str]:
    """The names :func:`tables` gives this reader, in order, without counting any answer
    (a feed looks for its table by name: ``api/feeds.py:find_table``)."""
    scope = package_scope(programme, user)
    if scope is None:
        return []
    names = ["surveys", "survey_codebook"]
    for survey in scoped_surveys(scope):
        names += [f"survey_{survey.pk}", f"survey_{survey.pk}_labels"]
    return names


def table(programme: Programme, user: User, name: str) -> Table | None:
    """The one table ``name`` of :func:`tables`, planning only its survey (the feeds)."""
    scope = package_scope(programme, user)
    if scope is None:
        return None
    if name in ("surveys", "survey_codebook"):  # about every survey
        return next((t for t in tables(programme, user) if t.name == name), None)
    for survey in scoped_surveys(scope):
        if name == f"survey_{survey.pk}":
            return _responses(survey, plan_for(survey, scope.access, "codes"), "", "codes")
        if name == f"survey_{survey.pk}_labels":
            plan = plan_for(survey, scope.access, "labels")
            return _responses(survey, plan, "_labels", "labels")
    return None


def _xlsform_writer(instrument_id: int):
    def write(path: Path) -> None:
        from peerlearn.surveys.models import Instrument
        from peerlearn.surveys.xlsform.writer import write_xlsform

        instrument = Instrument.objects.get(pk=instrument_id)
        path.write_bytes(bytes(instrument.source_xlsx) or write_xlsform(instrument.form))

    return write


def _statistical_writer(survey: Survey, access: Access, fmt: str):
    def write(path: Path) -> None:
        write_statistical(str(path), plan_for(survey, access, "codes"), fmt)  # type: ignore[arg-type]

    return write


def files(programme: Programme, user: User) -> list[PackageFile]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    access = scope.access
    surveys = scoped_surveys(scope)
    out: list[PackageFile] = []
    seen: set[int] = set()
    for survey in surveys:
        instrument = survey.instrument
        if instrument.pk not in seen:
            seen.add(instrument.pk)
            version = f"-{instrument.version}" if instrument.version else ""
            out.append(
                PackageFile(
                    path=f"instruments/{safe_name(instrument.form_id + version)}.xlsx",
                    title=f"XLSForm: {instrument.title}",
                    media_type=XLSX_TYPE,
                    write=_xlsform_writer(instrument.pk),
                )
            )
        for fmt, media in (("sav", "application/x-spss-sav"), ("dta", "application/x-stata-dta")):
            out.append(
                PackageFile(
                    path=f"statistical/survey_{survey.pk}.{fmt}",
                    title=f"{survey.title} ({'SPSS' if fmt == 'sav' else 'Stata'})",
                    media_type=media,
                    write=_statistical_writer(survey, access, fmt),
                    description="The codes table with variable and value labels.",
                )
            )
    return out
