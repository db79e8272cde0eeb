"""Reading roster files: formats, encodings, delimiters and bad files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from peerlearn.core.spreadsheets import format_size
from peerlearn.roster.reading import RosterFileError, read_table

from .rosters import csv_bytes, people_rows, save, xlsx_bytes

MB = 1024 * 1024
LIMIT = 5 * MB


def read_path(path, *, max_bytes=LIMIT):
    return read_table(path.read_bytes(), path.name, max_bytes=max_bytes)


def refused(path, *, max_bytes=LIMIT) -> str:
    with pytest.raises(RosterFileError) as caught:
        read_path(path, max_bytes=max_bytes)
    return str(caught.value)


# ------------------------------------------------------------------ good files


def test_csv_cells_are_stripped_and_blank_lines_skipped_but_counted(tmp_path):
    text = (
        "Email , NAME,Role title\r\n"
        " ana@example.org ,  Ana Pérez ,Director\r\n"
        "\r\n"
        ",,\r\n"
        "bo@example.org,Bo,\r\n"
    )
    table = read_path(save(tmp_path, "r.csv", text.encode()))
    assert table.columns == ["email", "name", "role_title"]
    assert table.rows == [
        ["ana@example.org", "Ana Pérez", "Director"],
        ["bo@example.org", "Bo", ""],
    ]
    assert table.row_numbers == [2, 5]
    assert table.encoding == "utf-8"
    assert table.delimiter == ","


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path):
    data = "email,name\nzoe@example.org,Zoë Müller\n".encode("utf-8-sig")
    table = read_path(save(tmp_path, "bom.csv", data))
    assert table.header == ["email", "name"]
    assert table.rows[0][1] == "Zoë Müller"


def test_latin1_csv_is_decoded_and_the_encoding_reported(tmp_path):
    rows = [{"email": "jose@example.org", "name": "José Müller-Ñúñez", "organisation": "Société"}]
    path = save(
        tmp_path,
        "latin1.csv",
        csv_bytes(rows, ["email", "name", "organisation"], encoding="latin-1"),
    )
    table = read_path(path)
    assert table.rows == [["jose@example.org", "José Müller-Ñúñez", "Société"]]
    assert table.encoding == "cp1252"  # Latin-1 letters read the same in Windows-1252


def test_windows_1252_punctuation_and_undefined_bytes(tmp_path):
    data = "email,name\nann@example.org,Ann O’Neill – 5 €\n".encode("cp1252")
    assert read_path(save(tmp_path, "cp.csv", data)).rows[0][1] == "Ann O’Neill – 5 €"
    # 0x81 is undefined in Windows-1252: Latin-1 takes over.
    odd = b"email,name\nx@example.org,A\x81B\xe9\n"
    table = read_path(save(tmp_path, "odd.csv", odd))
    assert table.encoding == "latin-1"
    assert table.rows[0][1] == "A\x81Bé"


def test_semicolon_delimited_csv_from_european_excel(tmp_path):
    rows = [{"email": "a@example.org", "name": "Dupont, Marie", "organisation": "Ville de Lyon"}]
    data = csv_bytes(rows, ["email", "name", "organisation"], delimiter=";", encoding="cp1252")
    table = read_path(save(tmp_path, "semi.csv", data))
    assert table.delimiter == ";"
    assert table.rows == [["a@example.org", "Dupont, Marie", "Ville de Lyon"]]


def test_tab_delimited_utf16_text_from_excel(tmp_path):
    data = "email\tname\r\nli@example.org\t王芳\r\n".encode("utf-16")
    table = read_path(save(tmp_path, "unicode.txt", data))
    assert table.delimiter == "\t"
    assert table.encoding == "utf-16"
    assert table.rows == [["li@example.org", "王芳"]]


def test_header_aliases_and_unknown_columns_are_kept(tmp_path):
    data = b"E-mail,Name,Organization,Favourite colour\nx@example.org,X,Org,blue\n"
    table = read_path(save(tmp_path, "alias.csv", data))
    assert table.columns == ["email", "name", "organisation", "favourite_colour"]


def test_xlsx_values_become_strings(tmp_path):
    header = ["email", "name", "count", "ratio", "whole", "when", "at", "flag"]
    values = [
        "a@example.org",
        "Ana",
        42,
        3.5,
        2.0,
        dt.date(2025, 3, 1),
        dt.datetime(2025, 3, 1, 9, 30),
        True,
    ]
    sheet: list[list[object]] = [list(header), values]
    path = save(tmp_path, "types.xlsx", xlsx_bytes(sheet, columns=None))
    table = read_path(path)
    assert table.format == "xlsx"
    assert table.encoding is None
    assert table.rows == [
        ["a@example.org", "Ana", "42", "3.5", "2", "2025-03-01", "2025-03-01T09:30:00", "true"]
    ]


def test_xlsx_reads_the_first_sheet_and_counts_blank_rows(tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.append(["email", "name"])
    first.append(["a@example.org", "Ana"])
    first["A5"] = "b@example.org"
    first["B5"] = "Олена Коваленко"
    other = workbook.create_sheet("Other")
    other.append(["not", "this"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_path(save(tmp_path, "gaps.xlsx", buffer.getvalue()))
    assert table.rows == [["a@example.org", "Ana"], ["b@example.org", "Олена Коваленко"]]
    assert table.row_numbers == [2, 5]


def test_content_decides_not_the_extension(tmp_path):
    rows = people_rows(2)
    as_csv = read_path(save(tmp_path, "really-an-xlsx.csv", xlsx_bytes(rows)))
    assert as_csv.format == "xlsx"
    assert len(as_csv.rows) == 2
    as_txt = read_path(save(tmp_path, "roster.txt", csv_bytes(rows)))
    assert as_txt.format == "csv"


# ------------------------------------------------------------------- bad files


def test_pdf_renamed_csv_is_refused(tmp_path):
    data = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
    message = refused(save(tmp_path, "roster.csv", data))
    assert "PDF" in message
    assert "CSV or XLSX" in message


def test_png_renamed_xlsx_is_refused(tmp_path):
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    assert "PNG image" in refused(save(tmp_path, "roster.xlsx", data))


def test_zip_that_is_not_a_workbook_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    message = refused(save(tmp_path, "roster.xlsx", buffer.getvalue()))
    assert "zip archive" in message
    assert "not a spreadsheet" in message


def test_opendocument_spreadsheet_is_refused_with_advice(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    message = refused(save(tmp_path, "roster.ods", buffer.getvalue()))
    assert "OpenDocument" in message
    assert ".xlsx" in message


def test_damaged_workbook_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "garbage")
        archive.writestr("xl/workbook.xml", "<not really>")
    message = refused(save(tmp_path, "roster.xlsx", buffer.getvalue()))
    assert "could not be read" in message


def test_legacy_xls_is_refused_with_advice(tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    message = refused(save(tmp_path, "roster.xls", ole2))
    assert "(.xls)" in message
    assert "Excel Workbook (.xlsx) or CSV UTF-8" in message


def test_text_named_xlsx_or_xls_is_refused(tmp_path):
    assert "not an Excel workbook" in refused(save(tmp_path, "r.xlsx", b"email,name\na@b.org,A\n"))
    assert "(.xls)" in refused(save(tmp_path, "r.xls", b"<html><table></table></html>"))


def test_random_binary_is_refused(tmp_path):
    data = bytes((i * 37 + 11) % 256 for i in range(4096))
    assert "binary file" in refused(save(tmp_path, "roster.csv", data))


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file_has_no_people(tmp_path, data):
    assert "no people in it" in refused(save(tmp_path, "empty.csv", data))


def test_header_only_has_no_people(tmp_path):
    message = refused(save(tmp_path, "header.csv", b"email,name,country\r\n\r\n,,\r\n"))
    assert "no people in it" in message
    assert "header row" in message


def test_header_only_xlsx_has_no_people(tmp_path):
    assert "no people in it" in refused(save(tmp_path, "header.xlsx", xlsx_bytes([])))


def test_file_over_the_limit_names_sizes_in_mb(tmp_path):
    data = csv_bytes(people_rows(20)) + b"x" * (2 * MB)
    message = refused(save(tmp_path, "big.csv", data), max_bytes=1 * MB)
    assert "the limit is 1 MB" in message
    assert "too large (2" in message


def test_file_over_a_small_limit_names_sizes_in_kb(tmp_path):
    message = refused(save(tmp_path, "big.csv", csv_bytes(people_rows(20))), max_bytes=2048)
    assert "the limit is 2 KB" in message


def test_xlsx_that_expands_too_much_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (20 * MB))
    data = buffer.getvalue()
    assert len(data) < 100 * 1024
    assert "too large once unpacked" in refused(
        save(tmp_path, "bomb.xlsx", data), max_bytes=100 * 1024
    )


def test_missing_required_columns_are_named_with_what_was_found(tmp_path):
    data = b"mail,full name,country\nx@example.org,X,KE\n"
    message = refused(save(tmp_path, "cols.csv", data))
    assert "missing the required column(s) email, name" in message
    assert "Columns found: mail, full name, country" in message


def test_missing_one_required_column_in_xlsx(tmp_path):
    path = save(tmp_path, "cols.xlsx", xlsx_bytes([["x@example.org", "KE"]], ["email", "country"]))
    message = refused(path)
    assert "required column(s) name." in message
    assert "Columns found: email, country" in message


def test_duplicate_columns_are_refused(tmp_path):
    message = refused(save(tmp_path, "dup.csv", b"email,name,Email\na@b.org,A,c@d.org\n"))
    assert "more than once: Email" in message


def test_malformed_csv_gives_a_message(tmp_path):
    data = b"email,name\n" + b'a@example.org,"' + b"x" * 200_000 + b'"\n'
    assert "malformed" in refused(save(tmp_path, "long.csv", data))


def test_error_is_a_value_error_with_a_message():
    with pytest.raises(ValueError) as caught:
        read_table(b"", "x.csv", max_bytes=LIMIT)
    assert isinstance(caught.value, RosterFileError)
    assert caught.value.message == str(caught.value)


def test_format_size():
    assert [format_size(n) for n in (900, 2048, 1536 * 1024, 5 * MB)] == [
        "900 bytes",
        "2 KB",
        "1.5 MB",
        "5 MB",
    ]


def test_a_runaway_cell_is_refused_even_when_a_library_raised_the_csv_limit(tmp_path):
    import csv
    import sys

    before = csv.field_size_limit(sys.maxsize)  # as frictionless does on import
    try:
        data = b"email,name\n" + b'a@example.org,"' + b"x" * 200_000 + b'"\n'
        assert "malformed" in refused(save(tmp_path, "long.csv", data))
    finally:
        csv.field_size_limit(before)
