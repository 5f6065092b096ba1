"""Sphinx configuration of the course's documentation site (scripts/docs.sh builds it).

The references are generated from the code by docs/_ext/course_reference.py; the build runs with
warnings as errors and nitpicky cross-references, so a link to a command, option, setting or status
that does not exist fails it. Nothing is fetched: no intersphinx, no remote images.
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "Applied Deep Learning in Medicine: autograded exercises"
author = "the course team"
copyright = "2026, the course team"

extensions = ["myst_parser", "sphinx_click", "course_reference"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]

# The references are reStructuredText, as sphinx-click and our directives write rst. `{option}`, `{confval}`, `{command}`, `{status}` and `{envvar}` must name something the references hold.
nitpicky = True
# Heading anchors let guides link to each other's sections (`ta.md#late-work`); a wrong one is a warning.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = []

html_theme = "furo"
html_title = "ADLM autograder"
html_static_path = []
html_show_sourcelink = False
# The build reads no date from the clock, so two builds of one commit give the same pages.
html_last_updated_fmt = None
smartquotes = False  # options and commands keep their two hyphens
