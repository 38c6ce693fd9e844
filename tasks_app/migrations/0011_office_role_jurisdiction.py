"""Offices belong to a jurisdiction (null: the whole install); audit rows record the jurisdiction they concern."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def audit_jurisdictions_backfill(apps, schema_editor):
    """A unit's row takes the unit's jurisdiction, every other row its plan's; rows naming neither stay null
    (only whole-install offices read those)."""
    AuditEntry = apps.get_model("tasks_app", "AuditEntry")
    Unit = apps.get_model("tasks_app", "Unit")
    Plan = apps.get_model("tasks_app", "Plan")
    unit_place = Unit.objects.filter(pk=OuterRef("object_id")).values("jurisdiction_id")[:1]
    AuditEntry.objects.filter(object_type="unit").update(jurisdiction_id=Subquery(unit_place))
    plan_place = Plan.objects.filter(pk=OuterRef("plan_id")).values("jurisdiction_id")[:1]
    AuditEntry.objects.filter(jurisdiction__isnull=True, plan__isnull=False).update(jurisdiction_id=Subquery(plan_place))


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0010_unit_successions"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="jurisdiction",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="tasks_app.jurisdiction",
                verbose_name="行政区划",
            ),
        ),
        migrations.AddField(
            model_name="officerole",
            name="jurisdiction",
            field=models.ForeignKey(
                blank=True,
                help_text="留空表示全省(全部行政区划);市级规划办同时看到所辖县(市)区",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="office_roles",
                to="tasks_app.jurisdiction",
                verbose_name="所属行政区划",
            ),
        ),
        migrations.RunPython(audit_jurisdictions_backfill, migrations.RunPython.noop),
    ]
