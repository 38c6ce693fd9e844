"""The domain rules of BRIEF §4, each in one function that every face (web, API, exports, reminders) calls.

- who reports: ``rules.reporting`` (``reporting_units`` on loaded rows, ``Assignment.objects.reporting()`` in SQL);
- which report statuses count as done: ``Report.DONE_STATUSES`` (``models/reports.py``);
- which item kinds are indicators: ``WorkItem.INDICATOR_KINDS`` (``models/plans.py``);
- the indicator judgement (达标 / 未达标 / 待定 / 无统计): ``rules.indicators.indicator_verdict``;
- the number and the date a text states: ``rules.text.number_from_text`` / ``plain_number`` / ``date_from_text``;
- the cycle a read is about when none is named: ``rules.cycles.default_cycle``;
- a unit named by a user (id, canonical name or alias): ``rules.units.UnitNames`` / ``units_named``.

``indicators`` and ``text`` are pure (no Django); the package itself imports nothing, so models may use
``rules.reporting`` without an import cycle.
"""
