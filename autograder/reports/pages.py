"""Pages rendered from templates/: HTML people read (feedback, reports, exam papers; escaping on,
one stylesheet); and tables as CSV text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jinja2

_TEMPLATES = Path(__file__).parent / "templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                          undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return _ENV.get_template(template).render(css=(_TEMPLATES / "base.css").read_text(), **context)


def csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
