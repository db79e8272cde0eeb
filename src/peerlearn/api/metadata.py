"""``/api/v1/feeds/<slug>/$metadata``: the programme's feeds described in OData's CSDL.

A minimal CSDL XML document (OData 4.0): one ``EntityType`` per table of the
caller's data package (the tables ``<slug>/<table>.json`` serves), its
``Property`` elements the table's columns in order with their Edm type, its
``Key`` the table's primary key, and one ``EntitySet`` per table in the
container.  Generated from the same :class:`~peerlearn.core.tabular.Table`
objects as the feeds, so the two cannot disagree
(``tests/api/test_feeds.py::test_metadata_lists_every_feed_with_its_columns``).

Decisions
---------
* **Names as the JSON has them**: a property is named exactly as the key of
  the JSON feed's objects.  Most are OData identifiers; the 0/1 column of
  one choice of a survey's multiple-choice question (``question/choice``)
  is not, and a strict OData client may refuse that table's type.
* **Every property may be null** (OData's default): suppressed and
  unanswered cells are ``null``.
* **Who reads it**: whoever reads the feeds themselves (the package's
  readers, :func:`~peerlearn.programmes.package_scope.asks_for_package`); a cohort's
  facilitator gets their cohort package's tables only.
* Survey feeds (``surveys/<id>/responses``) have their columns set by their
  options; the package's ``survey_<id>`` tables, listed here, are those
  responses with the package's options.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from peerlearn.api import odata
from peerlearn.api.access import programme_access
from peerlearn.api.feeds import FeedView
from peerlearn.core.tabular import Table
from peerlearn.evidence.datapackage import iter_reader_tables
from peerlearn.programmes.package_scope import asks_for_package

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
NAMESPACE = "peerlearn"
XML_TYPE = "application/xml"

#: Table Schema type (``site/tabular.py``) -> Edm primitive type.
EDM_TYPES = {
    "string": "Edm.String",
    "integer": "Edm.Int64",
    "number": "Edm.Double",
    "boolean": "Edm.Boolean",
    "date": "Edm.Date",
    "datetime": "Edm.DateTimeOffset",
}


def _entity_type(schema: ET.Element, table: Table) -> None:
    entity = ET.SubElement(schema, f"{{{EDM}}}EntityType", Name=table.name)
    names = set(table.header)
    key = [name for name in table.primary_key if name in names]
    if key and len(key) == len(table.primary_key):
        element = ET.SubElement(entity, f"{{{EDM}}}Key")
        for name in key:
            ET.SubElement(element, f"{{{EDM}}}PropertyRef", Name=name)
    for column in table.columns:
        ET.SubElement(entity, f"{{{EDM}}}Property", Name=column.name, Type=EDM_TYPES[column.type])


def csdl(tables: list[Table]) -> bytes:
    """The CSDL XML document of ``tables``."""
    ET.register_namespace("edmx", EDMX)
    ET.register_namespace("", EDM)
    root = ET.Element(f"{{{EDMX}}}Edmx", Version="4.0")
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema = ET.SubElement(services, f"{{{EDM}}}Schema", Namespace=NAMESPACE)
    for table in tables:
        _entity_type(schema, table)
    container = ET.SubElement(schema, f"{{{EDM}}}EntityContainer", Name="feeds")
    for table in tables:
        ET.SubElement(
            container,
            f"{{{EDM}}}EntitySet",
            Name=table.name,
            EntityType=f"{NAMESPACE}.{table.name}",
        )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class FeedMetadata(FeedView):
    """The programme's feeds as an OData CSDL document (entity types and their properties)."""

    @extend_schema(responses={(200, XML_TYPE): OpenApiTypes.STR})
    def get(self, request: Request, slug: str) -> HttpResponse:
        odata.refuse_unknown(request, [])
        programme, _access = programme_access(request, slug, asks_for_package)
        tables = list(iter_reader_tables(programme, request.user))
        return HttpResponse(csdl(tables), content_type=f"{XML_TYPE}; charset=utf-8")
