"""Files rendered from templates/: HTML pages people read (feedback, reports; escaping on, one
stylesheet) and plain text files (the Slurm batch script); and tables as CSV text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jinja2

_TEMPLATES = Path(__file__).parent / "templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                          undefined=jinja2.StrictUndefined)
_TEXT_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), keep_trailing_newline=True,
                               undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return _ENV.get_template(template).render(css=(_TEMPLATES / "base.css").read_text(), **context)


def render_text(template: str, **context) -> str:
    return _TEXT_ENV.get_template(template).render(**context)


def csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
