"""The evaluator's handover: a Frictionless Data Package of everything a reader may read.

:func:`build_package` writes, into a new directory:

* ``data/<table>.csv``: one UTF-8 CSV per :class:`~peerlearn.core.tabular.Table`
  of every app's ``package.py`` (streamed: a table is never held in memory);
* the files apps add (``files()`` in ``package.py``: XLSForms, SPSS ``.sav``
  and Stata ``.dta``);
* ``datapackage.json``: a resource per CSV with its Table Schema (types from
  the columns, primary and foreign keys), and one per file;
* ``README.md``: provenance, what was held back and why, the date, the
  peerlearn version.

Decisions
---------
* **Whose package**: the reader's.  Every app's ``tables`` returns only what
  that user may read under the pages' rules; the programme's facilitators
  and evaluators get the whole programme, a facilitator of some cohorts a
  package of those cohorts only (:mod:`peerlearn.programmes.package_scope`, apps that
  declare ``COHORT_SCOPED``), anyone else gets :class:`NotAllowed` before
  anything is written.
* **All or nothing**: everything goes to a sibling directory first, renamed
  into place at the end; a failure leaves no half package behind.
* **Cells**: empty for a missing value, ``true``/``false``, ISO 8601 dates and
  times in UTC, numbers as written by Python; text goes through the same
  formula neutralising as every other export (a text starting with ``=`` gets
  a leading apostrophe), so the CSV is safe to open in a spreadsheet.
* **Foreign keys** are declared only when the table they point to is in the
  package, so ``frictionless validate`` passes for every reader.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.utils import timezone

import peerlearn
from peerlearn.core.files import PackageFile, safe_name
from peerlearn.core.tabular import Table, table_sources
from peerlearn.core.writing import neutralise
from peerlearn.programmes.package_scope import PackageScope, k_threshold, package_scope

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

Progress = Callable[[int, int], None]
_SAFE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class NotAllowed(Exception):
    """The user may not build this programme's package."""


class PackageError(Exception):
    """The package could not be written where it was asked (a message for people)."""


@dataclass
class ResourceSummary:
    name: str
    path: str
    title: str
    rows: int | None  # None for a file


@dataclass
class PackageSummary:
    directory: Path
    created: datetime
    resources: list[ResourceSummary] = field(default_factory=list)
    #: The cohorts of a cohort package, by name (empty: the whole programme).
    cohorts: list[str] = field(default_factory=list)

    def rows_of(self, name: str) -> int | None:
        return next((r.rows for r in self.resources if r.name == name), None)


def scoped_modules(scope: PackageScope) -> Iterator[ModuleType]:
    """The apps' ``package`` modules that give tables to this scope.

    The whole programme's readers get every app's; a cohort's facilitator only
    those of apps declaring ``COHORT_SCOPED = True`` (they narrow their rows
    to the scope's cohorts), so an app that never thought about cohorts
    cannot hand a cohort's facilitator the whole programme.
    """
    for label, _tables in table_sources():
        module = import_module(f"peerlearn.{label}.package")
        if scope.whole or getattr(module, "COHORT_SCOPED", False) is True:
            yield module


def iter_reader_tables(programme: Programme, user: User) -> Iterator[Table]:
    """The reader's tables, app by app (lazily: a feed stops at the one it wants)."""
    scope = package_scope(programme, user)
    if scope is None:
        return
    for module in scoped_modules(scope):
        yield from module.tables(programme, user)


def reader_tables(programme: Programme, user: User) -> list[Table]:
    """Every table of ``programme`` this reader's package holds (empty: no package)."""
    return list(iter_reader_tables(programme, user))


def package_files(programme: Programme, user: User) -> list[PackageFile]:
    """Every file apps add beside their tables (``files`` in their ``package.py``)."""
    scope = package_scope(programme, user)
    out: list[PackageFile] = []
    if scope is None:
        return out
    for module in scoped_modules(scope):
        source = getattr(module, "files", None)
        if source is not None:
            out.extend(source(programme, user))
    return out


# ----------------------------------------------------------------- cells


def cell(value: object) -> str:
    """One CSV cell as the Table Schema types read it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return neutralise(value)


class _Line:
    """A file-like object whose ``write`` returns what it was given (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


#: Rows per piece of CSV text :func:`csv_text` yields.
CSV_BATCH = 500


def checked_rows(table: Table) -> Iterator[Sequence[Any]]:
    """``table``'s rows, each checked to have one cell per column."""
    width = len(table.header)
    for row in table.rows:
        if len(row) != width:
            raise ValueError(f"table {table.name}: a row of {len(row)} cells, not {width}")
        yield row


def csv_text(table: Table, counted: list[int] | None = None) -> Iterator[str]:
    """``table`` as CSV text (header first, ``\\n`` line ends), a batch of rows at a time.

    The one CSV writer of the package files and of the API's flat feeds, so a
    feed and the package's file are the same bytes.  Rows stream: at most
    :data:`CSV_BATCH` of them are held at once.  ``counted`` (a one-item
    list) receives the number of rows written.
    """
    writer = csv.writer(_Line(), lineterminator="\n")
    yield writer.writerow(table.header)
    batch: list[str] = []
    for row in checked_rows(table):
        if counted is not None:
            counted[0] += 1
        batch.append(writer.writerow([cell(v) for v in row]))
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def write_csv(path: Path, table: Table) -> int:
    """Stream ``table`` to ``path`` (UTF-8, no byte-order mark); the number of rows."""
    counted = [0]
    with path.open("w", encoding="utf-8", newline="") as handle:
        for text in csv_text(table, counted):
            handle.write(text)
    return counted[0]


# ----------------------------------------------------------------- descriptor


def table_schema(table: Table, names: set[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [
            {
                "name": c.name,
                "type": c.type,
                **({"description": c.description} if c.description else {}),
            }
            for c in table.columns
        ],
        "missingValues": [""],
    }
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    keys = [
        {"fields": [column], "reference": {"resource": target, "fields": [target_column]}}
        for column, (target, target_column) in table.foreign_keys.items()
        if target in names
    ]
    if keys:
        schema["foreignKeys"] = keys
    return schema


def table_resource(table: Table, path: str, names: set[str]) -> dict[str, Any]:
    return {
        "name": table.name,
        "title": table.title,
        **({"description": table.description} if table.description else {}),
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": table_schema(table, names),
    }


def file_resource(item: PackageFile) -> dict[str, Any]:
    return {
        "name": safe_name(item.path.replace("/", "-")).lower(),
        "title": item.title,
        **({"description": item.description} if item.description else {}),
        "path": item.path,
        # "file": frictionless checks it is there and does not read it as a table.
        "type": "file",
        "mediatype": item.media_type,
    }


def scope_names(scope: PackageScope) -> list[str]:
    """The names of a cohort package's cohorts (empty for the whole programme)."""
    if scope.cohorts is None:
        return []
    from peerlearn.programmes.models import Cohort

    return list(
        Cohort.objects.filter(pk__in=sorted(scope.cohorts))
        .order_by("pk")
        .values_list("name", flat=True)
    )


def descriptor(
    programme: Programme,
    created: datetime,
    resources: list[dict[str, Any]],
    cohorts: Sequence[str] = (),
) -> dict[str, Any]:
    about = "Evidence handed over by peerlearn; see README.md."
    if cohorts:
        names = ", ".join(cohorts)
        about = f"Evidence of the cohorts {names} only, handed over by peerlearn; see README.md."
    return {
        "name": safe_name(programme.slug).lower(),
        "title": programme.name,
        "description": about,
        "created": cell(created),
        "version": peerlearn.__version__,
        "profile": "data-package",
        "sources": [{"title": f"peerlearn {peerlearn.__version__}"}],
        "resources": resources,
    }


# ----------------------------------------------------------------- README


def readme(
    programme: Programme,
    user: User,
    created: datetime,
    tables: Sequence[tuple[Table, int]],
    files: Sequence[PackageFile],
    cohorts: Sequence[str] = (),
) -> str:
    lines = [
        f"# {programme.name}: evidence package",
        "",
        f"Built by peerlearn {peerlearn.__version__} on {cell(created)} (UTC) for the "
        "account that asked for it, with what that account may read in the programme "
        f"`{programme.slug}`.",
        "",
    ]
    if cohorts:
        lines += [
            "## Scope: some cohorts only",
            "",
            "The account facilitates some cohorts of the programme, not the whole of it, so "
            "this package holds those cohorts only: "
            + ", ".join(f"`{name}`" for name in cohorts)
            + ". Their people, roles, groups, matching runs, surveys, sessions, check-ins, "
            "products, learning objectives and the exchanges between their people are "
            "included; nothing of any other cohort is, nor what belongs to the programme "
            "as a whole (programme-wide surveys, organisational outcomes, the objectives "
            "summary, outcome stories, the theory of change, experiments).",
            "",
        ]
    lines += [
        "## Provenance",
        "",
        "Every table comes from the peerlearn database at the moment above; "
        "`datapackage.json` describes each column (Frictionless Table Schema). "
        "Validate with `frictionless validate datapackage.json`.",
        "",
        "## Privacy and suppression applied",
        "",
        "* People appear only as pseudonyms (`p-...`), the same in every table of this "
        "package and different in any other programme. Names and e-mail addresses appear "
        "only in the responses of identified surveys, for readers allowed to see them.",
        "* What peers share inside their groups (group notes) is never included.",
        f"* Survey answers follow the exports' k rule (k = the instrument's minimum, "
        f"by default {k_threshold()}): a survey with fewer than k published responses "
        "has a header and no rows; a question answered by fewer than k people is blank; "
        "a breakdown value (respondent group, language, date) shared by fewer than k "
        "respondents is written as `[suppressed]`. The `surveys` table says, per survey, "
        "what was held back (`held_back`).",
        "* Check-ins and products are included only for readers the programme lets read "
        "them; one person's learning objectives only for facilitators (evaluators get "
        "`objectives_summary`, itself empty below k people who rated).",
        "",
        "## Tables",
        "",
        "| table | rows | what |",
        "|---|---:|---|",
    ]
    for table, rows in tables:
        lines.append(f"| `{table.name}` | {rows} | {table.title} |")
    if files:
        lines += ["", "## Files", ""]
        lines += [f"* `{item.path}`: {item.title}" for item in files]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- build


def _target(out: Path) -> Path:
    out = out.expanduser().resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PackageError(f"{out} exists and is not an empty directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _check_path(path: str) -> str:
    if not _SAFE_PATH.match(path) or ".." in path.split("/"):
        raise ValueError(f"unsafe path in package: {path!r}")
    return path


def build_package(
    programme: Programme, user: User, out: Path | str, progress: Progress | None = None
) -> PackageSummary:
    """Write the package of ``programme`` as ``user`` may read it into the new directory ``out``."""
    scope = package_scope(programme, user)
    if scope is None:
        raise NotAllowed
    target = _target(Path(out))
    created = timezone.now()
    cohorts = scope_names(scope)
    tables = reader_tables(programme, user)
    files = package_files(programme, user)
    names = {t.name for t in tables}
    if len(names) != len(tables):
        raise ValueError("two tables share a name")
    total = len(tables) + len(files)
    work = Path(tempfile.mkdtemp(prefix=".peerlearn-package-", dir=target.parent))
    summary = PackageSummary(directory=target, created=created, cohorts=cohorts)
    try:
        resources: list[dict[str, Any]] = []
        written: list[tuple[Table, int]] = []
        (work / "data").mkdir()
        for done, table in enumerate(tables, start=1):
            path = _check_path(f"data/{table.name}.csv")
            rows = write_csv(work / path, table)
            written.append((table, rows))
            resources.append(table_resource(table, path, names))
            summary.resources.append(ResourceSummary(table.name, path, table.title, rows))
            if progress:
                progress(done, total)
        for done, item in enumerate(files, start=len(tables) + 1):
            path = _check_path(item.path)
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            item.write(work / path)
            resource = file_resource(item)
            resources.append(resource)
            summary.resources.append(ResourceSummary(resource["name"], path, item.title, None))
            if progress:
                progress(done, total)
        (work / "datapackage.json").write_text(
            json.dumps(
                descriptor(programme, created, resources, cohorts), indent=2, ensure_ascii=False
            ),
            encoding="utf-8",
        )
        (work / "README.md").write_text(
            readme(programme, user, created, written, files, cohorts), encoding="utf-8"
        )
        if target.exists():
            target.rmdir()
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return summary


def zip_directory(directory: Path, target: Path) -> Path:
    """The package as one ``.zip`` (for the download)."""
    import zipfile

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return target
