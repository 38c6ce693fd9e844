"""python manage.py open_cycle --plan ID (--year Y | --period LABEL): open the cycle of one reporting period.

``--year Y`` opens year Y's yearly cycle (BRIEF §5); ``--period`` a period of any cadence: 2022, 2022H1,
2022Q3, 2022-07 (rules.periods)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tasks_app.models import Plan
from tasks_app.services.cycles import CycleError, cycle_open


class Command(BaseCommand):
    help = "开启某规划某报送期的报送周期(--year 年度,或 --period 2022H1 / 2022Q3 / 2022-07)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", type=int, required=True)
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--year", type=int)
        which.add_argument("--period", help="报送期:2022、2022H1、2022Q3 或 2022-07")

    def handle(self, *args, plan: int, year: int | None, period: str | None, **options) -> None:
        found = Plan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"规划 {plan} 不存在")
        try:
            cycle = cycle_open(plan=found, year=year, period=period or "")
        except CycleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已开启:{found.title} {cycle.label}({cycle.period}),截止 {cycle.due_date}")
