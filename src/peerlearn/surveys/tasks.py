"""Background tasks (Django's tasks API, the ``django-tasks`` backport).

Arguments and results are plain JSON values so any backend can store them.
With the default immediate backend they run inside the request.
"""

from __future__ import annotations

from django_tasks import task

from peerlearn.programmes.models import Programme
from peerlearn.surveys import sending
from peerlearn.surveys.models import Survey


@task()
def send_survey_mail(survey_id: int) -> dict[str, int | str]:
    """Send the due invitations and reminders of one survey (idempotent)."""
    survey = Survey.objects.select_related("programme", "instrument").get(pk=survey_id)
    return sending.send_due(survey).as_dict()


@task()
def send_all_survey_mail(programme_id: int | None = None) -> dict[str, int | str]:
    """Send everything due in every open survey (of one programme, or all)."""
    programme = Programme.objects.get(pk=programme_id) if programme_id is not None else None
    total = sending.Sent()
    errors = []
    for survey, sent in sending.send_all_due(programme):
        total.invitations += sent.invitations
        total.reminders += sent.reminders
        if sent.error:
            errors.append(f"survey {survey.pk}: {sent.error}")
    total.error = "; ".join(errors)
    return total.as_dict()
