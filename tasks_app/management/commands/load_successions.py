"""Load the shipped reform table (fixtures/successions.json) for the units the database holds."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from tasks_app.models import UnitSuccession
from tasks_app.services.successions import successions_load


class Command(BaseCommand):
    help = "登记机构改革沿革(fixtures/successions.json)并移交已生效的分工;可重复运行"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool = False, **options) -> None:
        created = successions_load()
        total = UnitSuccession.objects.count()
        if json:
            self.stdout.write(_dumps({"created": created, "successions": total}))
        else:
            self.stdout.write(f"created {created} successions ({total} in all)")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
