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
    "survey.import": _("Imported survey answers from KoboToolbox or ODK"),
    "group.private_read": _("Staff opened a group's private material"),
    "matching.publish": _("Published groups"),
    "matching.move_decided": _("Decided a move request"),
    "retention.purge": _("Purged old uploads"),
    "backup.create": _("Made a backup"),
    "objectives.settings": _("Changed the objectives' lock or rating dates"),
    "objectives.lock": _("Locked the programme's learning objectives"),
    "authorisation.update": _("Saved an authorisation"),
    "authorisation.signed_upload": _("Uploaded a signed authorisation"),
    "authorisation.signed_download": _("Downloaded a signed authorisation"),
    "board.settings": _("Changed the progress board"),
    "session.plan": _("Planned sessions"),
    "session.reschedule": _("Moved or edited sessions"),
    "session.cancel": _("Cancelled sessions"),
    "session.attendance": _("Marked attendance"),
    "format.edit": _("Edited a meeting format"),
    "calendar.issue": _("Made a private calendar address"),
    "calendar.revoke": _("Switched off a private calendar address"),
    "progress.settings": _("Changed who reads check-ins and products"),
    "progress.working_group_create": _("Created a cross-group working group"),
    "progress.reviewer_assign": _("Assigned a product reviewer"),
    "progress.product_move": _("Moved a product to another review state"),
    "api.token_create": _("Made an API token"),
    "api.token_revoke": _("Revoked an API token"),
    "api.token_used": _("Used an API token"),
    "api.cohort_create": _("Added a cohort through the API"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown key is shown as it is."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
