"""The documentation's references, generated from the code at build time, never written by hand.

- `course-commands`: every `course` command and option, through sphinx-click, with each command
  made a target of the `{command}` role (sphinx-click's options already are `{option}` targets).
- `course-settings`: every option `course_config.py` takes of ours, from the traitlets classes that
  declare it (help, type, default, bounds), as Sphinx's `confval` objects.
- `course-variables`: environment variables (the hub's HUB_*, the student library's DLMED_*), from the
  docstring of the module that reads them, as `envvar` objects.
- `course-record`: the fields of `result.json` and its statuses, from the dataclasses and the
  status table grading writes them from.

Anything those sources leave undocumented (an option without help text, a field without a doc) is a
warning, so the build, which treats warnings as errors, fails. Hand-written because no published
extension renders traitlets classes into Sphinx objects: nbgrader and JupyterHub each run a script of
their own before the build, which leaves a generated file to go stale.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re

import click
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles
from sphinx_click.ext import ClickDirective
from traitlets import Enum, TraitType
from traitlets.config import Configurable

logger = logging.getLogger(__name__)


def _parse(directive: SphinxDirective, lines: list[str]) -> list[nodes.Node]:
    holder = nodes.section()
    holder.document = directive.state.document
    nested_parse_with_titles(directive.state, StringList(lines, directive.get_source_info()[0]), holder)
    return holder.children


def _indented(text: str, prefix: str = "   ") -> list[str]:
    return [prefix + line if line else "" for line in inspect.cleandoc(text).splitlines()]


class CourseCommands(ClickDirective):
    """sphinx-click's `click` directive that also registers each command as a `{command}` target and
    warns on a command or option nobody described."""

    def _generate_nodes(self, name, command, parent, nested, commands=None, semantic_group=False):
        sections = super()._generate_nodes(name, command, parent, nested, commands, semantic_group)
        path = f"{parent.command_path} {name}" if parent else name
        where = (self.env.docname, self.lineno)
        if sections:
            self.env.get_domain("std").note_object("command", path, sections[0]["ids"][0], location=where)
        if not command.hidden and not (command.help or command.short_help):
            logger.warning(f"the command `{path}` has no help text: give its function a docstring", location=where)
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and not param.help:
                logger.warning(f"option {'/'.join(param.opts)} of `{path}` has no help text", location=where)
        return sections


def _setting_type(trait: TraitType) -> str:
    kind = type(trait).__name__
    if isinstance(trait, Enum):
        return f"{kind}: " + ", ".join(f"``{value!r}``" for value in trait.values)
    bounds = [f"{word} {value}" for word, value in (("min", getattr(trait, "min", None)),
                                                    ("max", getattr(trait, "max", None))) if value is not None]
    return f"{kind} ({', '.join(bounds)})" if bounds else kind


def configurables(module) -> list[type[Configurable]]:
    """The Configurable classes a module declares, in the order it declares them."""
    return [value for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, Configurable) and value.__module__ == module.__name__]


def settings_of(cls: type[Configurable]) -> list[tuple[str, TraitType]]:
    """A class's own `config=True` traits, in the order its source declares them."""
    return [(name, value) for name, value in vars(cls).items()
            if isinstance(value, TraitType) and value.metadata.get("config")]


class CourseSettings(SphinxDirective):
    """`c.Class.option` for every option of the given module's Configurable classes."""

    required_arguments = 1  # the module

    def run(self):
        module = importlib.import_module(self.arguments[0])
        lines: list[str] = []
        for cls in configurables(module):
            title = f"c.{cls.__name__}"
            lines += [f".. _config-{cls.__name__.lower()}:", "", title, "~" * len(title), ""]
            if cls.__doc__:
                lines += [*inspect.cleandoc(cls.__doc__).splitlines(), ""]
            for name, trait in settings_of(cls):
                if not (trait.help or "").strip():
                    logger.warning(f"c.{cls.__name__}.{name} has no help text: give its trait help=...",
                                   location=self.get_location())
                lines += [f".. confval:: c.{cls.__name__}.{name}",
                          f"   :type: {_setting_type(trait)}",
                          f"   :default: ``{trait.default_value_repr()}``", "",
                          *_indented(trait.help or ""), ""]
        return _parse(self, lines)


# One variable per line of the module docstring: "    HUB_NAME   what it does", continued below, indented.
_VARIABLE = re.compile(r"^ {4}(?P<name>[A-Z][A-Z0-9_]+)\s+(?P<text>\S.*)$")


class ModuleVariables(SphinxDirective):
    """The environment variables a module's docstring lists, as `envvar` objects."""

    required_arguments = 1

    def run(self):
        module = importlib.import_module(self.arguments[0])
        entries: list[tuple[str, list[str]]] = []
        for line in (module.__doc__ or "").splitlines():
            if match := _VARIABLE.match(line):
                entries.append((match["name"], [match["text"]]))
            elif entries and line.startswith(" " * 8) and line.strip():
                entries[-1][1].append(line.strip())
        if not entries:
            logger.warning(f"{self.arguments[0]}'s docstring lists no variables", location=self.get_location())
        lines = []
        for name, text in entries:
            lines += [f".. envvar:: {name}", "", "   " + " ".join(text), ""]
        return _parse(self, lines)


def _field_doc(cls, field: dataclasses.Field, where) -> str:
    doc = field.metadata.get("doc", "")
    if not doc:
        logger.warning(f"{cls.__name__}.{field.name} has no doc: give its field metadata={{'doc': ...}}", location=where)
    return doc


def _type_name(annotation) -> str:
    return str(annotation).replace("'", "")


class CourseRecord(SphinxDirective):
    """The record grading writes per submission (`result.json`) and its statuses."""

    required_arguments = 1  # the module holding Result, TestResult, STATUSES, EXPLAINED, UNFINISHED

    def run(self):
        module = importlib.import_module(self.arguments[0])
        where = self.get_location()
        lines: list[str] = []
        for cls in (module.Result, module.TestResult):
            lines += [f"``{cls.__name__}``", "^" * (len(cls.__name__) + 4), "",
                      *inspect.cleandoc(cls.__doc__ or "").splitlines(), "",
                      ".. list-table::", "   :header-rows: 1", "   :widths: 20 15 65", "",
                      "   * - field", "     - type", "     - meaning"]
            for field in dataclasses.fields(cls):
                lines += [f"   * - ``{field.name}``", f"     - ``{_type_name(field.type)}``",
                          f"     - {_field_doc(cls, field, where)}"]
            lines.append("")
        lines += ["Statuses", "^^^^^^^^", ""]
        for status in module.STATUSES:
            if status not in module.EXPLAINED:
                logger.warning(f"status {status!r} has no explanation in EXPLAINED", location=where)
            again = (" It is not a verdict on the submission: ``course grade --resume`` grades it again."
                     if status in module.UNFINISHED else "")
            lines += [f".. status:: {status}", "", f"   {module.EXPLAINED.get(status, '')}.{again}", ""]
        return _parse(self, lines)


def setup(app):
    app.add_directive("course-commands", CourseCommands)
    app.add_directive("course-settings", CourseSettings)
    app.add_directive("course-variables", ModuleVariables)
    app.add_directive("course-record", CourseRecord)
    # Targets of the roles guides use: {command}`course grade`, {status}`timeout`.
    app.add_crossref_type("command", "command", objname="command")
    app.add_object_type("status", "status", objname="grading status")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
