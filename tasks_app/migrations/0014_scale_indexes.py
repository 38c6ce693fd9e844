# Indexes for province-scale office pages (issue 12): see docs/performance.md.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0013_staff_password_and_evidence_hash"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status", "submitted")),
                fields=["submitted_at", "id"],
                name="report_queue_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["item", "cycle"], include=("status",), name="report_item_cycle"),
        ),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["plan", "order", "id"], name="workitem_plan_order"),
        ),
    ]
