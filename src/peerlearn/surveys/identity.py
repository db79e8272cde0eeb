"""What a response keeps of its author, by the instrument's anonymity.

* identified: the person;
* pseudonymous: a code derived from the person and the programme with a keyed
  hash, the same on every survey of the programme (so time points can be
  compared person by person) and meaningless outside it;
* anonymous: nothing, no time and no language either.  The invitation, which
  names the person, keeps that it was answered but no time at all: every time
  on it (created, sent, reminded, started, answered) and on its links becomes
  the survey's creation time (:func:`answered_mark`), reminders are forgotten,
  and so is the language.  The response rows are rewritten in random order
  when they are published (:mod:`peerlearn.surveys.publication`).  So neither
  ids, nor times, nor languages join a response back to an invitation, nor
  order the people who answered, also in a backup.

Pseudonymous responses keep the hour: the code already follows a person
across surveys, and whoever holds the database and the secret key can
recompute it, so the hour protects against readers of pages and exports, not
against the database's owner.  Written down in ``docs/surveys.md``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

PSEUDONYM_LENGTH = 10


def pseudonym_for(programme_id: int, person_id: int) -> str:
    """A stable code for one person in one programme, e.g. ``P-3F9A1C07D2``."""
    key = f"peerlearn.surveys.pseudonym:{settings.SECRET_KEY}".encode()
    digest = hmac.new(key, f"{programme_id}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return "P-" + digest[:PSEUDONYM_LENGTH].upper()


def pseudonyms_for(programme_id: int, person_ids: Iterable[int]) -> dict[int, str]:
    """:func:`pseudonym_for` of many people at once (the key prepared once: a figure
    over 10,000 members spent most of its time preparing it again for each)."""
    key = f"peerlearn.surveys.pseudonym:{settings.SECRET_KEY}".encode()
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    out = {}
    for person_id in person_ids:
        mac = keyed.copy()
        mac.update(f"{programme_id}:{person_id}".encode())
        out[person_id] = "P-" + mac.hexdigest()[:PSEUDONYM_LENGTH].upper()
    return out


def stored_time(anonymity: str, moment: datetime) -> datetime | None:
    """The submission time a response keeps: exact if identified, the hour if
    pseudonymous, none if anonymous."""
    if anonymity == "identified":
        return moment
    if anonymity == "anonymous":
        return None
    return moment.replace(minute=0, second=0, microsecond=0)


def answered_mark(anonymity: str, moment: datetime, survey_created: datetime) -> datetime:
    """What the invitation keeps of when it was answered.

    Anonymous: the survey's creation time, the same for everyone, so "answered"
    stays a fact (reminders stop, counts work) without a time that would order
    the respondents; even a day would single out the only person who answered
    that day, whose response is then the last one still waiting to be
    published.  Otherwise the exact time.
    """
    return survey_created if anonymity == "anonymous" else moment
