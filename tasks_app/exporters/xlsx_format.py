"""The two things the exports need from openpyxl beyond its public API, kept in one tested place.

1. ``set_default_format``: the format every unstyled cell uses. Data cells carry no per-cell style (that
   keeps a 50,000-item export close to raw openpyxl speed), so the workbook's default cell format (xf 0)
   and its "Normal" named style (what LibreOffice applies to unstyled cells) are made wrapped and bordered.
   openpyxl has no public API for either; this is the only module that touches its private attributes
   (``_alignments``, ``_borders``, ``_cell_styles``, ``_named_styles``), and tests/exporters/test_xlsx_format.py
   fails first if an openpyxl upgrade moves them.
2. ``store_text``: a text cell that shows exactly what was written and is never evaluated. openpyxl turns
   a string starting with "=" into a formula and "#N/A" into an error value; here the cell is typed as a
   string and gets Excel's quote-prefix style, the flag Excel itself sets when someone types text after an
   apostrophe: the apostrophe is not part of the value and not shown, and editing the cell later does not
   turn it into a formula either.
"""

from __future__ import annotations

from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList

_INTERNALS = ("_alignments", "_borders", "_cell_styles", "_named_styles")


def set_default_format(workbook: Workbook, *, alignment: Alignment, border: Border) -> None:
    """Make ``workbook``'s default cell format (and its Normal style) use ``alignment`` and ``border``.

    Call it on a new workbook, before the first cell is styled: it replaces the list of cell formats.
    """
    missing = [name for name in _INTERNALS if not hasattr(workbook, name)]
    if missing:
        raise RuntimeError(f"openpyxl {openpyxl.__version__} no longer has {', '.join(missing)}: see {__name__}")
    internals: Any = workbook  # the attributes are private: typed nowhere, checked just above
    default = StyleArray()
    default.alignmentId = internals._alignments.add(alignment)
    default.borderId = internals._borders.add(border)
    internals._cell_styles = IndexedList([default])
    normal = internals._named_styles["Normal"]
    normal.alignment = alignment
    normal.border = border


def format_like_default(target: Any, *, alignment: Alignment, border: Border) -> Any:
    """Give a cell or a column dimension the default format explicitly (public style setters).

    A column's own format wins over the default in LibreOffice, and a styled cell no longer inherits it.
    """
    target.alignment = alignment
    target.border = border
    return target


def store_text(cell: Cell, text: str) -> Cell:
    """Put ``text`` into ``cell`` as a string that is shown as written and never evaluated."""
    cell.value = text  # openpyxl infers "f" for "=…" and "e" for "#N/A": overridden just below
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
