"""Column widths for the PDF's tables: a fixed table layout (so no table runs off the page, and WeasyPrint
does not measure every cell twice) needs each column's share of the width up front."""

from typing import Any

from django import template

from twinning.core.exports import Column

register = template.Library()

# How many shares of the width a column takes: numbers and dates are short; free text (names, notes,
# narratives) wraps, so it gets more room.
NARROW_KINDS = {"date"}
TEXT_SHARES = 2
NARROW_SHARES = 1


def column_shares(column: Column) -> int:
    return NARROW_SHARES if column.numeric or column.kind in NARROW_KINDS else TEXT_SHARES


@register.filter
def column_widths(columns: Any) -> list[tuple[Column, str]]:
    """Each column with its width as a CSS percentage ("12.5%"), the shares adding up to 100 %.

    Raises: nothing.
    """
    columns = list(columns)
    total = sum(column_shares(c) for c in columns) or 1
    return [(c, f"{100 * column_shares(c) / total:.3f}%") for c in columns]
