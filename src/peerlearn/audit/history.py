"""Row history (django-simple-history) for the models whose changes matter to privacy.

The historical tables live in the audit app (``app="peerlearn.audit"``) so the owning
apps' migrations stay theirs. Bulk writes (roster import) bypass model
signals: those paths write an explicit event with counts instead.
"""

from __future__ import annotations

from django.apps import apps
from simple_history import register

# (app label, model name): each change to one of these rows is kept.
HISTORY_MODELS = (
    ("people", "Person"),
    ("programmes", "Programme"),
    ("programmes", "Membership"),
    ("surveys", "Instrument"),
    ("surveys", "Survey"),
)


def register_models() -> None:
    for app_label, model_name in HISTORY_MODELS:
        model = apps.get_model(app_label, model_name)
        register(model, app="peerlearn.audit", table_name=f"audit_history_{model_name.lower()}")
