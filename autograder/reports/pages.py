"""Pages rendered from templates/: HTML people read (feedback, reports, exam papers; escaping on,
one stylesheet); and tables as CSV text."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import jinja2

_TEMPLATES = Path(__file__).parent / "templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                          undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return _ENV.get_template(template).render(css=(_TEMPLATES / "base.css").read_text(), **context)


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP's CSV injection);
# a genuine number (a negative score) must stay a number it can sum.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _cell(value):
    text = str(value)
    # Text that already begins with quotes before such a character gets one more, so csv_cell's
    # reading stays one-to-one.
    if text.lstrip("'").startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return value


def csv_cell(text: str) -> str:
    """A cell as csv_text wrote it, read back as its value."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START) else text


def csv_text(header: list[str], rows: list[list]) -> str:
    """CSV for people to open in a spreadsheet: text that it would run as a formula is escaped with a
    leading quote (ids such as `=1+2` or `-rf` come from students); csv_cell reads it back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_cell(v) for v in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()
