"""Vocabularies of the people models, shared with roster files and forms.

Codes are stored; labels are translated.  The roster reader accepts labels
and a few variants too (see ``peerlearn.roster.columns`` and ``peerlearn.people.lookups``).
"""

from django.utils.translation import gettext_lazy as _

SENIORITY_CHOICES = (
    ("political", _("Political (minister, deputy minister)")),
    ("senior", _("Senior (head of agency, director-general)")),
    ("middle", _("Middle management (director, head of unit)")),
    ("technical", _("Technical (adviser, analyst, specialist)")),
)

ORGANISATION_KIND_CHOICES = (
    ("ministry", _("Ministry")),
    ("municipality", _("Municipality or city government")),
    ("agency", _("Agency")),
    ("think_tank", _("Think tank")),
    ("civil_society", _("Civil-society organisation")),
    ("international", _("International organisation")),
    ("other", _("Other")),
)
