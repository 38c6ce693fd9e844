"""python manage.py open_cycle --plan ID --year Y: open the cycle that reports on year Y."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tasks_app.models import Plan
from tasks_app.services.cycles import CycleError, cycle_open


class Command(BaseCommand):
    help = "开启某规划某年度的报送周期"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", type=int, required=True)
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, plan: int, year: int, **options) -> None:
        found = Plan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"规划 {plan} 不存在")
        try:
            cycle = cycle_open(plan=found, year=year)
        except CycleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已开启:{found.title} {cycle.year} 年度,截止 {cycle.due_date}")
