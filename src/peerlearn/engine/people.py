"""The plain input model of the matching engine: :class:`Person`.

A person is a participant of a programme as the engine sees them: an id, a few
categorical attributes (organisation, country, role, ...), a handful of
self-nominated challenge statements, and optional flags. Nothing here knows about
Django; the web app converts its models into :class:`Person` objects.

Examples
--------
>>> p = Person("p1", organisation="Ministry of Finance", country="KE",
...            challenges=("getting other agencies on board",), languages=("en", "sw"))
>>> p.id, p.languages
('p1', ('en', 'sw'))
>>> p.is_external, p.is_alumni
(False, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Person", "TRUE_WORDS", "FALSE_WORDS", "parse_bool", "norm_key"]

#: Spellings read as *true* in ``external`` / ``alumni`` columns (case-insensitive).
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t", "x", "oui", "si", "sí", "vrai"})
#: Spellings read as *false*.
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", "", "non", "faux"})


def parse_bool(value: object) -> bool | None:
    """Read a yes/no cell; ``None`` when it is not recognisable.

    Examples
    --------
    >>> parse_bool("Yes"), parse_bool(" false "), parse_bool(True), parse_bool("maybe")
    (True, False, True, None)
    """
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def norm_key(value: str) -> str:
    """Normalise a categorical value for comparison (case and spaces).

    Two spellings of the same organisation (``"Ministry of Finance "`` and
    ``"ministry of  finance"``) count as one.

    Examples
    --------
    >>> norm_key("  Ministry of   Finance ")
    'ministry of finance'
    """
    return " ".join(value.split()).casefold()


@dataclass(frozen=True, slots=True)
class Person:
    """One participant, as read from the roster.

    Parameters
    ----------
    id
        Unique identifier (kept as given, compared exactly).
    organisation, country, role, policy_area, region, institution_kind
        Categorical attributes; empty string when unknown. Comparisons use
        :func:`norm_key`, so case and spacing do not matter.
    challenges
        Self-nominated challenge statements (usually three).
    languages
        Working languages; empty when unknown (then the person is assumed to
        share any language of their group).
    seniority
        Seniority band (free text such as ``"senior"`` or ``"3"``).
    gender
        Self-described gender, used only for balance.
    external
        ``True`` for an external / resource peer, ``False`` for a local peer.
    alumni
        ``True`` for a past participant who can mentor.
    tags
        Free tags (shared tags add to the *problems* criterion).

    Examples
    --------
    >>> Person("a", country="FR").country
    'FR'
    """

    id: str
    organisation: str = ""
    country: str = ""
    role: str = ""
    policy_area: str = ""
    challenges: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    seniority: str = ""
    gender: str = ""
    external: bool = False
    alumni: bool = False
    region: str = ""
    institution_kind: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def is_external(self) -> bool:
        """Whether this is an external / resource peer."""
        return self.external

    @property
    def is_alumni(self) -> bool:
        """Whether this is an alumni (potential mentor)."""
        return self.alumni

    @property
    def org_key(self) -> str:
        """Normalised organisation ('' when unknown)."""
        return norm_key(self.organisation)

    @property
    def country_key(self) -> str:
        """Normalised country ('' when unknown)."""
        return norm_key(self.country)

    @property
    def language_keys(self) -> frozenset[str]:
        """Normalised working languages (empty: unknown, compatible with all)."""
        return frozenset(norm_key(x) for x in self.languages if x.strip())


def ids_of(people: Iterable[Person]) -> list[str]:
    """The ids of ``people`` in order.

    Examples
    --------
    >>> ids_of([Person("a"), Person("b")])
    ['a', 'b']
    """
    return [p.id for p in people]
