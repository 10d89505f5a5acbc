"""The one CSV writer of the product: every CSV a person may open in a spreadsheet goes through here.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (CSV/formula injection, OWASP). :func:`safe_cell` prefixes such a
cell with a single quote, so ``=HYPERLINK("http://evil", "click")`` typed as a payer name is shown as
text, not run. Only strings are escaped: numbers (also negative ones, such as a refund of ``-5000``)
stay numbers. Dates and other values are written as ``str()`` would, and are never formulas.

:func:`writer` is a ``csv.writer`` that escapes every row it writes; :func:`dict_writer` the same for a
``csv.DictWriter``; :func:`csv_text` a whole file as text. ``tests/core/test_csvkit.py`` fails on a
``csv.writer``/``csv.DictWriter`` anywhere else in the product.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` made harmless for a spreadsheet: a string starting with a formula character gets a
    leading ``'``; anything else (numbers included) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class _SafeWriter:
    """A ``csv.writer`` whose rows are escaped with :func:`safe_cell`."""

    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """A ``csv.DictWriter`` whose values (and header) are escaped with :func:`safe_cell`."""

    def _dict_to_list(self, rowdict: Mapping[str, Any]) -> Any:  # used by writerow and writerows
        return safe_row(super()._dict_to_list(rowdict))  # type: ignore[misc]

    def writeheader(self) -> Any:
        return self.writer.writerow(safe_row(self.fieldnames))


def writer(out: TextIO, *, lineterminator: str = "\r\n", **kwargs: Any) -> _SafeWriter:
    return _SafeWriter(out, lineterminator=lineterminator, **kwargs)


def dict_writer(out: TextIO, fieldnames: Sequence[str], **kwargs: Any) -> _SafeDictWriter:
    return _SafeDictWriter(out, fieldnames=fieldnames, **kwargs)


def csv_text(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV file (CRLF line ends), header first, every cell escaped."""
    buffer = io.StringIO()
    out = writer(buffer)
    out.writerow(header)
    out.writerows(rows)
    return buffer.getvalue()


__all__ = ["FORMULA_PREFIXES", "csv_text", "dict_writer", "safe_cell", "safe_row", "writer"]
