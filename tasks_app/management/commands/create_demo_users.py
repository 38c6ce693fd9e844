"""python manage.py create_demo_users [--json]: demo logins only, never for production data."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from tasks_app.services.accounts import demo_users_create


class Command(BaseCommand):
    help = "为每个有分工的单位创建一个演示填报账号,并创建规划办管理员账号(仅用于演示)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool, **options) -> None:
        rows = demo_users_create()
        if json:
            self.stdout.write(_dumps(rows))
            return
        admin = rows[0]
        self.stdout.write(f"规划办管理员:用户名 {admin['username']}  密码 {admin['password']}")
        staff = rows[1:]
        if staff:
            self.stdout.write(f"单位填报账号 {len(staff)} 个,密码均为 {staff[0]['password']},例如:")
            for row in staff[:5]:
                self.stdout.write(f"  {row['username']}  {row['department']}")
            self.stdout.write("完整列表:python manage.py create_demo_users --json")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
