"""The number and the date a piece of text states. Pure: no Django.

One reading for every face: the report form stores ``number_from_text(actual_value_text)``, the indicator
judgement falls back to it for actuals and targets stored without a number, and the exports write a cell as a
number only when ``plain_number`` says the text is nothing but a number.
"""

from __future__ import annotations

import re
from datetime import date

_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")
# An optional comparison, optional brackets ([20] = five-year cumulative), one number, then a unit of
# measure without digits ("%", "万亩", "年"). A text with a second number ("比2015年下降12%") states none.
_STATED = re.compile(r"^(?P<op>[<>≤≥＜＞])?\s*[\[【]?\s*(?P<number>[-+]?\d+(?:\.\d+)?)\s*[\]】]?\s*(?P<unit>[^\d]*)$")


def plain_number(text: str) -> int | float | None:
    """ "17.88" → 17.88, "20" → 20; anything else ("[20]", ">5", "3%", "达到") → None."""
    value = (text or "").strip()
    if not _PLAIN.match(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() and "." not in value else number


def stated_number(text: str) -> tuple[str | None, float | None]:
    """(comparison, number) of a text that states one number: ">5" → (">", 5.0); "[20]" → (None, 20.0);
    "12.5 %" → (None, 12.5); "0.3万亩" → (None, 0.3); "达到市级要求" or "比2015年下降12%" → (None, None)."""
    match = _STATED.match((text or "").strip())
    if not match:
        return None, None
    return match.group("op"), float(match.group("number"))


def number_from_text(text: str) -> float | None:
    """The number a text states (see ``stated_number``), or None."""
    return stated_number(text)[1]


def date_from_text(value: str | None) -> date | None:
    """An ISO date typed into a form or query string ("2026-02-15"), or None when it is not one."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None
