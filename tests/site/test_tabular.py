"""The shared table shape: typed columns, app discovery, stable pseudonyms."""

from __future__ import annotations

import pytest

from peerlearn.core.tabular import Column, Table, pseudonym, table_sources
from peerlearn.programmes.models import Programme


def test_a_column_refuses_a_type_the_table_schema_does_not_know():
    with pytest.raises(ValueError):
        Column("when", type="timestamp")


def test_a_table_header_follows_its_columns():
    table = Table("t", "T", [Column("a"), Column("b", "integer")], rows=[])
    assert table.header == ["a", "b"]


def test_sources_are_only_peerlearn_apps_with_a_package_module():
    for label, source in table_sources():
        assert callable(source), label


@pytest.mark.django_db
def test_pseudonyms_agree_within_a_programme_and_differ_across_programmes():
    first = Programme.objects.create(name="One", slug="one")
    second = Programme.objects.create(name="Two", slug="two")
    assert pseudonym(first, 7) == pseudonym(first, 7)
    assert pseudonym(first, 7) != pseudonym(first, 8)
    assert pseudonym(first, 7) != pseudonym(second, 7)
    assert pseudonym(first, 7).startswith("p-") and len(pseudonym(first, 7)) == 14
