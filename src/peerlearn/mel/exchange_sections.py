"""Sections other apps add to one exchange's page (below the exchange itself).

The outcome stories an exchange contributed to are the harvest app's, which
sits above the ledger: it adds its section with :func:`register` from its
``AppConfig.ready``, so the ledger's page shows them without importing it.
A builder takes ``(access, exchange)`` and returns a :class:`Section` (its
template and context) or ``None`` (nothing for this reader).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerlearn.mel.models import Exchange
    from peerlearn.programmes.permissions import Access


@dataclass
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Builder = Callable[["Access", "Exchange"], "Section | None"]

BUILDERS: list[Builder] = []


def register(builder: Builder) -> Builder:
    """Add a section builder (idempotent: registering twice keeps one)."""
    if builder not in BUILDERS:
        BUILDERS.append(builder)
    return builder


def sections_for(access: Access, exchange: Exchange) -> list[Section]:
    return [section for build in BUILDERS if (section := build(access, exchange))]
