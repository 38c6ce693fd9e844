"""python manage.py create_demo_users [--json] [--heads]: demo logins only, never for production data.

Each run gives every demo login a new random password and prints it once; nothing keeps it in clear.
``--heads`` also gives every demo unit a 单位负责人 login (``unit<ID>-head``, rows with ``"role": "head"`` after the
staff rows): those units' staff submissions then wait for the head's sign-off. Without it the output is unchanged."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from tasks_app.services.accounts import demo_heads_create, demo_users_create
from tasks_app.services.demo_offices import demo_office_admins_create


class Command(BaseCommand):
    help = "为每个有分工的单位创建一个演示填报账号,并创建规划办管理员账号(全部及各行政区划各一个;仅用于演示)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--heads",
            action="store_true",
            help="同时为每个单位创建单位负责人账号(本单位报告须经负责人签发后报送规划办)",
        )

    def handle(self, *args, json: bool, heads: bool = False, **options) -> None:
        rows = demo_users_create()
        offices = demo_office_admins_create()
        rows[1:1] = offices  # the whole-install admin first, then one admin per jurisdiction with a plan
        head_rows = demo_heads_create() if heads else []
        rows.extend(head_rows)
        if json:
            self.stdout.write(_dumps(rows))
            return
        admin = rows[0]
        self.stdout.write("每次运行都会为每个演示账号设置新的随机密码(旧密码和令牌随即作废),密码只显示这一次:")
        self.stdout.write(f"规划办管理员(全部行政区划):用户名 {admin['username']}  密码 {admin['password']}")
        for row in offices:
            self.stdout.write(f"规划办管理员({row['jurisdiction']}):用户名 {row['username']}  密码 {row['password']}")
        staff = rows[1 + len(offices) : len(rows) - len(head_rows)]
        if staff:
            self.stdout.write(f"单位填报账号 {len(staff)} 个(每个账号的密码各不相同):")
            for row in staff:
                self.stdout.write(f"  {row['username']}  {row['password']}  {row['department']}")
        if head_rows:
            self.stdout.write(f"单位负责人账号 {len(head_rows)} 个(本单位的报告须经负责人签发后才报送规划办):")
            for row in head_rows:
                self.stdout.write(f"  {row['username']}  {row['password']}  {row['department']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
