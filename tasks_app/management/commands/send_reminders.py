"""python manage.py send_reminders --as-of YYYY-MM-DD [--dry-run] [--json]: the scheduler's code path."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tasks_app.reminders.service import RunResult, reminders_run


class Command(BaseCommand):
    help = "按提醒日历发送报送提醒(与定时任务相同的逻辑)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="按哪一天计算提醒,默认今天 (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="只列出将发送的提醒,不写入、不发送")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, as_of: str | None, dry_run: bool, json: bool, **options) -> None:
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of 日期格式应为 YYYY-MM-DD:{as_of}") from exc
        result = reminders_run(as_of=day, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(result.as_json()))
            self._exit_if_undelivered(result)
            return
        posts = [post for post in result.webhooks if post["department"]]  # unit robot posts, not the summary
        robots = f",其中群机器人消息 {len(posts)} 条" if posts else ""
        if dry_run:
            count = len(result.messages) + len(posts)
            self.stdout.write(f"{day}:将发送 {count} 封单位提醒{robots},跳过 {result.skipped} 个(已发送过或无联系邮箱)")
        else:
            earlier = result.delivered - result.sent
            resent = f"(其中补发此前未送达的 {earlier} 封)" if earlier else ""
            self.stdout.write(
                f"{day}:已发送 {result.delivered} 封单位提醒{resent}{robots},待重试 {result.pending} 封,"
                f"发送失败 {result.failed} 封,跳过 {result.skipped} 个(已发送过或无联系邮箱)"
            )
            if result.deferred:
                self.stdout.write(f"  免打扰时段:{result.deferred} 条顺延至下一个工作日早上发送")
        for message in result.messages:
            self.stdout.write(
                f"  {message['department']}  {message['cycle_year']}年度  {message['kind']} {message['days']}天  "
                f"{message['items']}项 → {', '.join(message['recipients'])}"
                + (f"  (顺延至 {message['deferred_until'][:16]})" if message["deferred_until"] else "")
            )
        for post in result.webhooks:
            self.stdout.write(
                f"  {post['department'] or '规划办(汇总)'}  {post['cycle_year']}年度  {post['kind']} {post['days']}天  "
                f"{post['items']}项 → 群机器人({post['channel']}) {', '.join(post['recipients'])}"
            )
        self._exit_if_undelivered(result)

    def _exit_if_undelivered(self, result: RunResult) -> None:
        """Exit non-zero when anything due is left pending or failed, so cron mails the operator."""
        if result.undelivered:
            raise CommandError(
                f"有 {result.undelivered} 条到期提醒未送达(待重试 {result.pending},发送失败 {result.failed},"
                "含规划办汇总);下次运行会重试待重试的提醒,失败的请在控制台“提醒发件箱”查看并重试",
                returncode=1,
            )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
