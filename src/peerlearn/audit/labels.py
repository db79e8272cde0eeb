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
    "evidence.package_build": _("Asked for a data package"),
    "evidence.package_download": _("Downloaded a data package"),
    "survey.k_changed": _("Changed the minimum number of respondents"),
    "survey.anonymity_changed": _("Changed a survey's anonymity"),
    "survey.control_added": _("Added a control-group person"),
    "survey.import": _("Imported survey answers from KoboToolbox or ODK"),
    "group.private_read": _("Staff opened a group's private material"),
    "matching.publish": _("Published groups"),
    "matching.move_decided": _("Decided a move request"),
    "matching.group_renamed": _("Named a group"),
    "matching.exported": _("Downloaded the groups of a run"),
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
    "story.create": _("Registered an outcome story"),
    "story.edit": _("Edited an outcome story"),
    "story.evidence_added": _("Added evidence to an outcome story"),
    "story.substantiation_requested": _("Asked someone to substantiate an outcome story"),
    "story.substantiated": _("A substantiator answered about an outcome story"),
    "story.actor_response": _("Recorded an actor's response to a change"),
    "calendar.revoke": _("Switched off a private calendar address"),
    "progress.settings": _("Changed who reads check-ins and products"),
    "experiments.create": _("Created an experiment"),
    "experiments.arm_add": _("Added an arm to an experiment"),
    "experiments.outcome_add": _("Added an outcome to an experiment's comparison"),
    "experiments.assign": _("Assigned a cohort's participants to arms at random"),
    "progress.working_group_create": _("Created a cross-group working group"),
    "progress.problem_dismiss": _("Dismissed a proposed common problem"),
    "progress.problem_restore": _("Restored a dismissed common problem"),
    "progress.reviewer_assign": _("Assigned a product reviewer"),
    "progress.product_move": _("Moved a product to another review state"),
    "theory.edit": _("Edited the working copy of the theory of change"),
    "theory.propose": _("Proposed a revision of the theory of change"),
    "theory.approve": _("Approved a revision of the theory of change"),
    "theory.share": _("Changed who reads the theory of change"),
    "theory.evidence": _("Tied evidence to the theory of change"),
    "theory.evidence_remove": _("Removed evidence from the theory of change"),
    "theory.override": _("Set a theory-of-change status by hand"),
    "exchange.record": _("Recorded a learning exchange"),
    "exchange.confirm": _("Confirmed a learning exchange"),
    "exchange.network_export": _("Exported the learning network"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown key is shown as it is."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
