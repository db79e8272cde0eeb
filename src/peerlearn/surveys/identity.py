"""What a response keeps of its author, by the instrument's anonymity.

* identified: the person;
* pseudonymous: a code derived from the person and the programme with a keyed
  hash, the same on every survey of the programme (so time points can be
  compared person by person) and meaningless outside it;
* anonymous: nothing.  The submission time is rounded down to the hour so it
  cannot be matched with the invitation's exact ``submitted_at``.

Residual risk, written down in ``docs/surveys.md``: whoever can read the
database directly could still correlate row order; pages, exports and the
API never expose it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from django.conf import settings

PSEUDONYM_LENGTH = 10


def pseudonym_for(programme_id: int, person_id: int) -> str:
    """A stable code for one person in one programme, e.g. ``P-3F9A1C07D2``."""
    key = f"peerlearn.surveys.pseudonym:{settings.SECRET_KEY}".encode()
    digest = hmac.new(key, f"{programme_id}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return "P-" + digest[:PSEUDONYM_LENGTH].upper()


def stored_time(anonymity: str, moment: datetime) -> datetime:
    """The submission time a response keeps: rounded to the hour unless identified."""
    if anonymity == "identified":
        return moment
    return moment.replace(minute=0, second=0, microsecond=0)
