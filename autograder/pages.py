"""HTML pages people read (feedback, reports): Jinja2 templates with escaping on, one stylesheet."""

from __future__ import annotations

from pathlib import Path

import jinja2

_TEMPLATES = Path(__file__).parent / "templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                          undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return _ENV.get_template(template).render(css=(_TEMPLATES / "base.css").read_text(), **context)
