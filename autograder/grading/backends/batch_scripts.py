"""The batch scripts Slurm runs, rendered from templates/ beside this module: plain text that an
admin reads, so no HTML escaping (the pages students and TAs read are rendered by reports.pages)."""

from __future__ import annotations

from pathlib import Path

import jinja2

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                          keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return _ENV.get_template(template).render(**context)
