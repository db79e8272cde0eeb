"""Read rosters (CSV or XLSX) into :class:`~peerlearn.engine.people.Person` lists; write results.

Roster columns (header row required, case and spaces in names ignored):
``id`` (required, unique), ``organisation``, ``country``, ``role``,
``policy_area``, ``challenges`` (several separated by ``|``), and optionally
``languages`` (``|``), ``seniority``, ``gender``, ``external``, ``alumni``
(true/false), ``region``, ``institution_kind``, ``tags`` (``|``). Unknown
columns are ignored. Bad input raises :class:`InputError` naming the row.

A roster exported by the web app (``peerlearn export``) is accepted as it is:
``email`` stands for ``id`` when there is no ``id`` column, ``role_title``
for ``role``, and ``challenge_1`` ... ``challenge_N`` are read as the
challenges when there is no ``challenges`` column.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "in.csv").write_text("id,country,challenges\\na,KE,land titles|budget\\n",
...                               encoding="utf-8")
>>> people = read_people(d / "in.csv")
>>> people[0].challenges
('land titles', 'budget')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from peerlearn.engine.people import Person, parse_bool

__all__ = [
    "InputError",
    "read_history",
    "read_id_sets",
    "read_assignment",
    "read_people",
    "read_table",
    "write_csv",
]

ALIASES = {
    "organization": "organisation",
    "org": "organisation",
    "policy": "policy_area",
    "policyarea": "policy_area",
    "challenge": "challenges",
    "language": "languages",
    "institution": "institution_kind",
    "institution_type": "institution_kind",
    "is_external": "external",
    "mentor": "alumni",
    # The web app's roster export (see docs/data-formats.md) reads as input too.
    "role_title": "role",
    "organisation_kind": "institution_kind",
}


class InputError(ValueError):
    """The input file is unusable; the message names the file, row and column."""


def _norm_header(name: object) -> str:
    key = "_".join(str(name or "").strip().lower().replace("-", " ").split())
    return ALIASES.get(key, key)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (UTF-8, ``,`` ``;`` or tab) or XLSX file, as text.

    Raises
    ------
    InputError
        Missing, empty or undecodable file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = f.write_text("id;country\\n1;FR\\n", encoding="utf-8")
    >>> read_table(f)
    (['id', 'country'], [['1', 'FR']])
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds
            raise InputError(f"{p}: not a readable XLSX workbook ({exc})") from None
        ws = wb.worksheets[0]
        raw = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count) if first else ","
        raw = [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    raw = [r for r in raw if any(c for c in r)]
    if not raw:
        raise InputError(f"{p}: the file is empty")
    header = [_norm_header(h) for h in raw[0]]
    width = len(header)
    rows = [(r + [""] * width)[:width] for r in raw[1:]]
    return header, rows


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split("|") if x.strip())


def read_people(path: str | Path) -> list[Person]:
    """Read a roster into people, validating ids and flags.

    Raises
    ------
    InputError
        No ``id`` column, empty id (row number given), duplicate id (both rows
        given), no data rows, or an unreadable true/false value.

    Notes
    -----
    Linear in the file size.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = f.write_text("id,external\\na,yes\\na,no\\n", encoding="utf-8")
    >>> read_people(f)
    Traceback (most recent call last):
    ...
    peerlearn.engine.io.InputError: r.csv row 3: duplicate id 'a' (first seen in row 2)
    """
    p = Path(path)
    header, rows = read_table(p)
    name = p.name
    if "id" not in header and "email" in header:
        header = ["id" if h == "email" else h for h in header]
    if "id" not in header:
        raise InputError(f"{name}: no 'id' column in the header (found: {', '.join(header)})")
    if not rows:
        raise InputError(f"{name}: the file has a header but no participants")
    col = {h: k for k, h in reversed(list(enumerate(header)))}

    def get(row: list[str], key: str) -> str:
        k = col.get(key)
        return row[k] if k is not None else ""

    numbered = sorted(
        (int(h.split("_")[1]), k)
        for k, h in enumerate(header)
        if h.startswith("challenge_") and h.split("_")[1].isdigit() and h.count("_") == 1
    )

    def numbered_challenges(row: list[str]) -> tuple[str, ...]:
        return tuple(row[k] for _, k in numbered if row[k])

    seen: dict[str, int] = {}
    people = []
    for n, row in enumerate(rows, start=2):
        pid = get(row, "id")
        if not pid:
            raise InputError(f"{name} row {n}: empty id")
        if pid in seen:
            raise InputError(
                f"{name} row {n}: duplicate id {pid!r} (first seen in row {seen[pid]})"
            )
        seen[pid] = n
        flags = {}
        for key in ("external", "alumni"):
            value = parse_bool(get(row, key))
            if value is None:
                raise InputError(
                    f"{name} row {n}: column {key!r} must be true or false, got {get(row, key)!r}"
                )
            flags[key] = value
        people.append(
            Person(
                pid,
                organisation=get(row, "organisation"),
                country=get(row, "country"),
                role=get(row, "role"),
                policy_area=get(row, "policy_area"),
                challenges=_split(get(row, "challenges")) or numbered_challenges(row),
                languages=_split(get(row, "languages")),
                seniority=get(row, "seniority"),
                gender=get(row, "gender"),
                external=flags["external"],
                alumni=flags["alumni"],
                region=get(row, "region"),
                institution_kind=get(row, "institution_kind"),
                tags=_split(get(row, "tags")),
            )
        )
    return people


def read_id_sets(path: str | Path) -> tuple[tuple[str, ...], ...]:
    """Sets of ids, one set per line, ids separated by commas, ``|`` or ``;``.

    A first line starting with ``id`` is taken as a header and skipped. Used for
    keep-together and keep-apart lists.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "k.csv"
    >>> _ = f.write_text("a,b\\nc|d|e\\n", encoding="utf-8")
    >>> read_id_sets(f)
    (('a', 'b'), ('c', 'd', 'e'))
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    out = []
    for k, line in enumerate(p.read_text(encoding="utf-8-sig").splitlines()):
        parts = [x.strip() for x in line.replace("|", ",").replace(";", ",").split(",")]
        parts = [x for x in parts if x]
        if k == 0 and parts and parts[0].lower() in ("id", "ids", "id1", "members"):
            continue
        if len(parts) >= 2:
            out.append(tuple(parts))
    return tuple(out)


def read_assignment(path: str | Path) -> dict[str, str]:
    """``id -> group`` from a GROUPS.csv (columns ``id`` and ``group``).

    If a ``locked`` column exists, only rows marked true are returned.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.csv"
    >>> _ = f.write_text("id,group\\na,G1\\nb,G2\\n", encoding="utf-8")
    >>> read_assignment(f)
    {'a': 'G1', 'b': 'G2'}
    """
    header, rows = read_table(path)
    if "id" not in header or "group" not in header:
        raise InputError(f"{Path(path).name}: needs 'id' and 'group' columns")
    i, g = header.index("id"), header.index("group")
    lock = header.index("locked") if "locked" in header else None
    out = {}
    for r in rows:
        if r[i] and r[g] and (lock is None or parse_bool(r[lock])):
            out[r[i]] = r[g]
    return out


def read_history(path: str | Path) -> tuple[tuple[str, str], ...]:
    """Pairs of ids who already met.

    Accepts a GROUPS.csv (``id,group``: every pair inside a group met), a
    PAIRS.csv (``id,partner`` or ``a,b``), or a plain two-column list.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> _ = f.write_text("id,group\\na,G1\\nb,G1\\nc,G2\\n", encoding="utf-8")
    >>> read_history(f)
    (('a', 'b'),)
    """
    header, rows = read_table(path)
    if "id" in header and "group" in header:
        groups: dict[str, list[str]] = {}
        i, g = header.index("id"), header.index("group")
        for r in rows:
            if r[i] and r[g]:
                groups.setdefault(r[g], []).append(r[i])
        return tuple(
            (a, b)
            for members in groups.values()
            for k, a in enumerate(members)
            for b in members[k + 1 :]
        )
    if "id" in header and "partner" in header:
        i, j = header.index("id"), header.index("partner")
    else:
        i, j = 0, 1
        if len(header) < 2:
            raise InputError(f"{Path(path).name}: a history needs two ids per row")
        rows = [header, *rows] if header[0] not in ("a", "id1", "id", "person") else rows
    return tuple((r[i], r[j]) for r in rows if len(r) > j and r[i] and r[j])


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a UTF-8 CSV (with header).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "o.csv"
    >>> write_csv(f, ["id", "group"], [["a", "G1"]])
    >>> f.read_text(encoding="utf-8").splitlines()
    ['id,group', 'a,G1']
    """
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


def rows_by_id(people: Sequence[Person]) -> Mapping[str, Person]:
    """``id -> person``.

    Examples
    --------
    >>> list(rows_by_id([Person("a")]))
    ['a']
    """
    return {p.id: p for p in people}
