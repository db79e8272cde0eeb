"""One pending move request per person and run.

Before the constraint, a double submit could store two pending requests.
The earliest stays pending (it is the one the participant first sent); later
duplicates are marked declined without a decider, so the constraint holds.
"""

from django.db import migrations, models


def keep_the_first_pending(apps, schema_editor):
    MoveRequest = apps.get_model("matching", "MoveRequest")
    seen = set()
    for request in MoveRequest.objects.filter(status="pending").order_by("created_at", "pk"):
        key = (request.run_id, request.person_id)
        if key in seen:
            MoveRequest.objects.filter(pk=request.pk).update(status="declined")
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_seed_holds_any_numpy_seed"),
        ("people", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(keep_the_first_pending, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="moverequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("run", "person"),
                name="one_pending_move_request",
            ),
        ),
    ]
