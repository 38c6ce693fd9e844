"""Read queries, one module per area. Views, serializers, exporters and commands read through these and
build no querysets of their own (beyond the scoped lookups of tasks_app.access).

- ``workspace``: 我的任务, the item page and the report form;
- ``console``: the office console (cycles, dashboard, review queue), every read starting from
  ``access.visible_plans(user)``;
- ``indicators``: the facts the indicator judgement needs (shared by the dashboard and the workbook);
- ``division``: the console's division, unit directory, suggestion and audit pages;
- ``api``: the REST lists;
- ``exports``: chunked reads of the Excel exports and the export pages;
- ``outbox``: the reminder outbox page.
"""
