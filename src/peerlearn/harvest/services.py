"""Writing stories, evidence, substantiation requests and answers: each in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.core import uploads as files
from peerlearn.harvest.models import Evidence, OutcomeStory, Substantiation
from peerlearn.progress.products import file_message, max_bytes


class HarvestError(Exception):
    """A refused change, with a message for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


def check_upload(upload: Upload) -> files.Sniffed:
    """Sniff an evidence file with the product files' rule and limit (``core.uploads``)."""
    sniffed = files.sniff(upload.data, upload.filename, max_bytes=max_bytes())
    if sniffed.error:
        raise HarvestError(file_message(sniffed.error))
    return sniffed


def add_evidence(
    story: OutcomeStory,
    *,
    upload: Upload | None = None,
    link: str = "",
    note: str = "",
    request: HttpRequest,
) -> Evidence:
    """One file or link on a story. The file is checked before anything is written."""
    sniffed = check_upload(upload) if upload is not None else None
    if sniffed is None and not link:
        raise HarvestError(_("Upload a file or give a link."))
    with transaction.atomic():
        evidence = Evidence(
            story=story, link=link, note=note.strip(), added_by=signed_in_user(request)
        )
        if sniffed is not None and upload is not None:
            evidence.data = upload.data
            evidence.size = len(upload.data)
            evidence.filename = sniffed.stored_name(upload.filename)
            evidence.content_type = sniffed.content_type
        evidence.save()
        audit.record(
            "story.evidence_added",
            request=request,
            programme=story.programme,
            target=story,
            detail={"evidence": evidence.pk, "file": bool(evidence.filename)},
        )
    return evidence


def touch(story: OutcomeStory) -> None:
    OutcomeStory.objects.filter(pk=story.pk).update(updated_at=timezone.now())


def ask_substantiators(
    story: OutcomeStory, people: Iterable[tuple[str, str]], *, request: HttpRequest
) -> list[Substantiation]:
    """Record who is asked and queue their e-mails (after the transaction commits)."""
    from peerlearn.harvest import tasks

    created: list[Substantiation] = []
    with transaction.atomic():
        for name, email in people:
            created.append(
                Substantiation.objects.create(
                    story=story,
                    name=name.strip(),
                    email=email.strip(),
                    requested_by=signed_in_user(request),
                    language=translation.get_language() or "",
                )
            )
        audit.record(
            "story.substantiation_requested",
            request=request,
            programme=story.programme,
            target=story,
            detail={"substantiations": [s.pk for s in created]},
        )
        for item in created:
            transaction.on_commit(partial(tasks.send_substantiation_request.enqueue, item.pk))
    return created


def send_request(substantiation_id: int) -> bool:
    """E-mail a fresh personal link to a substantiator; False if already answered."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from peerlearn.core.urls_abs import absolute_url

    item = Substantiation.objects.select_related("story__programme").get(pk=substantiation_id)
    token = item.issue_token()
    if not token:
        return False
    item.refresh_from_db()
    context = {
        "name": item.name,
        "story": item.story,
        "programme_name": item.story.programme.name,
        "url": absolute_url(reverse("harvest:substantiate", args=[token])),
        "expires": item.expires_at,
    }
    # The substantiator has no account: the asking facilitator's language is used.
    with translation.override(item.language or None):
        subject = render_to_string("harvest/email/substantiate_subject.txt", context).strip()
        body = render_to_string("harvest/email/substantiate_body.txt", context)
    send_mail(subject, body, None, [item.email])
    return True


def link_exchanges(
    story: OutcomeStory,
    *,
    add: Iterable[object],
    remove: Iterable[object],
    request: HttpRequest,
) -> tuple[list[int], list[int]]:
    """Link and unlink exchanges (already checked against what the editor may read).

    Links the editor cannot see are left as they are. One transaction, one
    audit event with the ids; returns ``(added, removed)`` ids.
    """
    with transaction.atomic():
        current = set(story.exchanges.values_list("pk", flat=True))
        added = sorted({e.pk for e in add} - current)  # type: ignore[attr-defined]
        removed = sorted({e.pk for e in remove} & current)  # type: ignore[attr-defined]
        if added:
            story.exchanges.add(*added)
        if removed:
            story.exchanges.remove(*removed)
        if added or removed:
            OutcomeStory.objects.filter(pk=story.pk).update(updated_at=timezone.now())
            audit.record(
                "story.exchanges",
                request=request,
                programme=story.programme,
                target=story,
                detail={"added": added, "removed": removed},
            )
    return added, removed
