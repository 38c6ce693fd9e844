"""Reporting periods of any cadence: a cycle is one plan period (2022, 2022H1, 2022Q3, 2022-07), unique per
plan and period; every existing cycle is its year's yearly period."""

from django.db import migrations, models
from django.db.models.functions import Cast


def label_years(apps, schema_editor):
    cycles = apps.get_model("tasks_app", "ReportingCycle")
    cycles.objects.filter(period="").update(period=Cast("year", models.CharField()))


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0016_plan_scoring"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportingcycle",
            name="period",
            field=models.CharField(default="", max_length=10, verbose_name="报送期"),
            preserve_default=False,
        ),
        migrations.RunPython(label_years, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="reportingcycle", name="cycle_unique_year"),
        migrations.AddConstraint(
            model_name="reportingcycle",
            constraint=models.UniqueConstraint(fields=("plan", "period"), name="cycle_unique_period"),
        ),
        migrations.AlterModelOptions(
            name="reportingcycle",
            options={
                "ordering": ["plan", "year", "period"],
                "verbose_name": "报送周期",
                "verbose_name_plural": "报送周期",
            },
        ),
    ]
