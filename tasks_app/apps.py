from django.apps import AppConfig


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = "规划任务分工"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web, commands, tests), not only in workers: services
        # enqueue them by name, and a registered task runs eagerly where settings say so.
        from tasks_app import (
            signals,  # noqa: F401  (connects the token revocation receivers)
            snapshots,  # noqa: F401  (connects the receivers that renew the office snapshots' data tokens)
            tasks,  # noqa: F401
        )
