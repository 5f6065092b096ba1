"""Staff side of the course: building, checking and grading assignments (never shipped to students)."""

import sys

# jsonschema (through nbformat) imports rfc3987_syntax when installed, which compiles a grammar
# for 1.5 s at every start: a third of each Slurm task's overhead and of every `course` command.
# Nothing here checks the IRI formats it serves, so jsonschema is told it is absent.
sys.modules.setdefault("rfc3987_syntax", None)
