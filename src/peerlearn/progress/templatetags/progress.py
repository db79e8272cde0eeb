"""Template helpers of the progress pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from peerlearn.progress.models import Review, RubricCriterion

register = template.Library()


@register.simple_tag
def move_label(name: str) -> str:
    """The button text of a product move."""
    return {
        "submit": _("Submit for review"),
        "start_review": _("Start the review"),
        "ask_revision": _("Ask for a revision"),
        "resubmit": _("Submit the revision"),
        "accept": _("Accept"),
        "publish": _("Publish"),
    }.get(name, name)


@register.simple_tag
def score(review: Review, criterion: RubricCriterion) -> str:
    """``3 / 4``, or a dash when the review has no score for the criterion."""
    value = review.scores.get(str(criterion.pk))
    return "—" if value is None else f"{value} / {criterion.max_score}"
