"""Words for the audit log's action keys (the events themselves store only keys)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "audit.export": _("Exported the audit log"),
    "person.edit": _("Changed a person's details"),
    "roster.import": _("Imported a roster"),
    "roster.export": _("Exported the roster with e-mail addresses"),
    "role.grant": _("Gave a role"),
    "role.revoke": _("Removed a role"),
    "signin.link_requested": _("Asked for a sign-in link"),
    "signin.link_used": _("Signed in with a link"),
    "signin.password_login": _("Signed in with a password"),
    "signin.locked_out": _("Sign-in locked after failed attempts"),
    "survey.export": _("Exported survey answers"),
    "survey.k_changed": _("Changed the minimum number of respondents"),
    "survey.anonymity_changed": _("Changed a survey's anonymity"),
    "survey.control_added": _("Added a control-group person"),
    "survey.control_removed": _("Removed a control-group person"),
    "group.private_read": _("Staff opened a group's private material"),
    "matching.publish": _("Published groups"),
    "matching.move_decided": _("Decided a move request"),
    "retention.purge": _("Purged old uploads"),
    "backup.create": _("Made a backup"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown key is shown as it is."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
