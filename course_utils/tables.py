"""Small comparison tables that look right in both places a student sees them.

A :class:`Table` is a list of rows (plain dicts) plus optional per-column formats. In JupyterLab
it renders as an HTML table (``_repr_html_``); ``print(table)`` gives aligned text; and
:meth:`Table.to_markdown` gives rows to paste into a README. Lessons use it for format
comparisons, classification reports and prediction lists::

    table = Table([{"format": ".keras", "size (kB)": 1123.4}], formats={"size (kB)": ",.1f"})
    table            # HTML in a notebook
    print(table)     # aligned text
"""

from __future__ import annotations

import html
import numbers
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from course_utils.language import tr

#: A column format: a format spec such as ``".3f"``, ``",d"`` or ``".1%"``, or a function.
CellFormat = str | Callable[[Any], str]


def format_cell(value: Any, spec: CellFormat | None = None) -> str:
    """One cell as text: ``spec`` if given, else yes/no for booleans, ``-`` for None, 4 digits for floats."""
    if value is None:
        return "-"
    if callable(spec):
        return spec(value)
    if isinstance(value, bool):
        return tr("yes", "是") if value else tr("no", "否")
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):  # e.g. a note such as "n/a" in a numeric column
            return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    return str(value)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width font: 2 for a wide character (Chinese), else 1 (``len`` for ASCII)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` columns (:func:`display_width`): like ``ljust``, or ``rjust`` if ``right``."""
    spaces = " " * max(0, width - display_width(text))
    return spaces + text if right else text + spaces


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Table:
    """Rows of dicts shown as a table: HTML in Jupyter, aligned text with ``print``.

    ``formats`` maps a column to a format spec (``".3f"``) or a function returning text.
    ``columns`` fixes the order (default: keys in order of first appearance). Numbers are
    right-aligned, text left-aligned; ``align`` overrides that per column (``{"epochs": "right"}``
    for text such as ``"3/5"``).
    """

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]],
        formats: Mapping[str, CellFormat] | None = None,
        title: str | None = None,
        columns: Sequence[str] | None = None,
        align: Mapping[str, str] | None = None,
    ) -> None:
        self.rows: list[dict[str, Any]] = [dict(row) for row in rows]
        self.formats: dict[str, CellFormat] = dict(formats or {})
        self.title = title
        if columns is None:
            seen: dict[str, None] = {}
            for row in self.rows:
                seen.update(dict.fromkeys(row))
            columns = list(seen)
        self.columns: list[str] = list(columns)
        self.align: dict[str, str] = dict(align or {})
        for column, side in self.align.items():
            if side not in ("left", "right"):
                raise ValueError(tr(f"align[{column!r}] must be 'left' or 'right', not {side!r}",
                                    f"align[{column!r}] 必须是 'left' 或 'right'，而不是 {side!r}"))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]

    def column(self, name: str) -> list[Any]:
        """All values of one column (``None`` where a row lacks it)."""
        if name not in self.columns:
            raise KeyError(tr(f"no column {name!r}; columns are {self.columns}",
                              f"没有名为 {name!r} 的列；现有的列是 {self.columns}"))
        return [row.get(name) for row in self.rows]

    def find(self, column: str, value: Any) -> dict[str, Any]:
        """The first row whose ``column`` equals ``value``."""
        for row in self.rows:
            if row.get(column) == value:
                return row
        raise KeyError(tr(f"no row with {column} == {value!r}", f"没有 {column} == {value!r} 的行"))

    def cell(self, row: Mapping[str, Any], column: str) -> str:
        """The text shown for ``row[column]``."""
        return format_cell(row.get(column), self.formats.get(column))

    def _text_grid(self) -> list[list[str]]:
        return [[self.cell(row, column) for column in self.columns] for row in self.rows]

    def _numeric_columns(self) -> list[bool]:
        """Per column: right-aligned? Numbers are, unless ``align`` says otherwise."""
        return [self._right_aligned(column) for column in self.columns]

    def _right_aligned(self, column: str) -> bool:
        if column in self.align:
            return self.align[column] == "right"
        values = [row.get(column) for row in self.rows]
        return all(_is_number(v) or v is None for v in values) and any(_is_number(v) for v in values)

    def __str__(self) -> str:
        grid = self._text_grid()
        numeric = self._numeric_columns()
        widths = [max([display_width(column)] + [display_width(line[i]) for line in grid])
                  for i, column in enumerate(self.columns)]

        def render(cells: Sequence[str]) -> str:
            parts = [pad(cell, width, right) for cell, width, right in zip(cells, widths, numeric, strict=True)]
            return "  ".join(parts).rstrip()

        lines = [self.title] if self.title else []
        lines.append(render(self.columns))
        lines.append("  ".join("-" * width for width in widths))
        lines.extend(render(line) for line in grid)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        numeric = self._numeric_columns()
        align = ['style="text-align:right"' if right else 'style="text-align:left"' for right in numeric]
        head = "".join(f"<th {a}>{html.escape(c)}</th>" for c, a in zip(self.columns, align, strict=True))
        body = "".join(
            "<tr>" + "".join(f"<td {a}>{html.escape(text)}</td>" for text, a in zip(line, align, strict=True)) + "</tr>"
            for line in self._text_grid()
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def to_markdown(self) -> str:
        """The table as GitHub Markdown (e.g. for a README's results section)."""
        numeric = self._numeric_columns()
        lines = ["| " + " | ".join(self.columns) + " |"]
        lines.append("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
        lines.extend("| " + " | ".join(text.replace("|", "\\|") for text in line) + " |" for line in self._text_grid())
        return "\n".join(lines)
