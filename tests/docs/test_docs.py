"""The documentation site: it builds offline with warnings as errors (a broken cross-reference, page or
image fails), and its generated references hold every command, option, setting, hub variable and
grading status the code has, so nothing new can go undocumented."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import click
import pytest

from autograder.cli import app
from autograder.course import settings
from autograder.grading import results

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "docs" / "_ext"))
from course_reference import configurables, settings_of  # noqa: E402

# Sphinx's inventory line: name, domain:role, priority, location, display name (names may hold spaces).
_ENTRY = re.compile(r"(?P<name>.+?)\s+(?P<kind>\S+:\S+)\s+-?\d+\s+\S*\s+.*")


def _build(source: Path, out: Path) -> subprocess.CompletedProcess:
    """sphinx-build as scripts/docs.sh runs it, with no network at all where the machine can take it away."""
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-d", str(out / "doctrees"), str(source), str(out / "html")]
    offline = ["unshare", "--net"] if shutil.which("unshare") and subprocess.run(
        ["unshare", "--net", "true"], capture_output=True).returncode == 0 else []
    return subprocess.run(offline + command, capture_output=True, text=True, cwd=REPO)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory) -> dict[str, set[str]]:
    out = tmp_path_factory.mktemp("site")
    built = _build(REPO / "docs", out)
    assert built.returncode == 0, f"the docs do not build:\n{built.stderr}"
    raw = (out / "html" / "objects.inv").read_bytes()
    found: dict[str, set[str]] = {}
    for line in zlib.decompress(raw.split(b"\n", 4)[4]).decode().splitlines():
        if match := _ENTRY.fullmatch(line):
            found.setdefault(match["kind"], set()).add(match["name"])
    return found


def _commands(command: click.Command, path: str) -> list[tuple[str, click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            if not sub.hidden:
                found += _commands(sub, f"{path} {name}")
    return found


def test_every_command_of_course_is_in_the_reference(inventory):
    assert {path for path, _ in _commands(app, "course")} <= inventory["std:command"]


def test_every_option_of_every_command_is_in_the_reference(inventory):
    expected = {f"{path.replace(' ', '-')}.{opt}"
                for path, command in _commands(app, "course") for param in command.params
                if isinstance(param, click.Option) and not param.hidden for opt in param.opts + param.secondary_opts}
    assert expected - inventory["std:cmdoption"] == set()


def test_every_setting_of_course_config_is_in_the_reference(inventory):
    expected = {f"c.{cls.__name__}.{name}" for cls in configurables(settings) for name, _ in settings_of(cls)}
    assert len(expected) > 60 and expected <= inventory["std:confval"]


def test_every_hub_variable_the_hub_reads_is_in_the_reference(inventory):
    source = (REPO / "autograder" / "hub" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""environ(?:\.get\(|\[)\s*["'](HUB_[A-Z_]+)""", source)) | set(
        re.findall(r"""_whole\(environ,\s*["'](HUB_[A-Z_]+)""", source))
    assert read and read <= inventory["std:envvar"]


def test_every_variable_of_the_student_library_is_in_the_reference(inventory):
    read = {name for folder in ("student/dlmed", "autograder") for path in (REPO / folder).rglob("*.py")
            if path.name != "__init__.py" or "student" not in path.parts
            for name in re.findall(r"\bDLMED_[A-Z0-9_]+", path.read_text(encoding="utf-8"))}
    assert {"DLMED_DEVICE", "DLMED_PLAN"} <= read <= inventory["std:envvar"]


def test_every_grading_status_is_in_the_reference(inventory):
    assert set(results.STATUSES) == inventory["std:status"]


def test_a_setting_option_or_record_field_without_help_text_fails_the_build(tmp_path):
    """The rule the issue asks for, on a small site of its own: undocumented things are build errors."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "bare.py").write_text(textwrap.dedent('''
        import click
        from dataclasses import dataclass, field
        from traitlets import Int
        from traitlets.config import Configurable

        class Knobs(Configurable):
            speed = Int(3).tag(config=True)

        @click.command()
        @click.option("--fast", is_flag=True)
        def go(fast):
            """Go."""

        STATUSES, UNFINISHED, EXPLAINED = ("ok",), (), {"ok": "fine"}

        @dataclass
        class TestResult:
            grade_id: str = field(metadata={"doc": "the cell"})

        @dataclass
        class Result:
            score: float = 0.0
    '''), encoding="utf-8")
    (tmp_path / "docs" / "conf.py").write_text(textwrap.dedent(f'''
        import sys
        sys.path[:0] = [{str(tmp_path)!r}, {str(REPO / "docs" / "_ext")!r}]
        extensions = ["sphinx_click", "course_reference"]
    '''), encoding="utf-8")
    (tmp_path / "docs" / "index.rst").write_text(textwrap.dedent('''
        Bare
        ====

        .. course-settings:: bare

        .. course-commands:: bare:go
           :prog: go

        .. course-record:: bare
    '''), encoding="utf-8")
    built = _build(tmp_path / "docs", tmp_path / "out")
    assert built.returncode != 0
    for undocumented in ("c.Knobs.speed has no help text", "option --fast of `go` has no help text",
                         "Result.score has no doc"):
        assert undocumented in built.stderr


def test_the_readme_links_only_to_files_that_exist():
    """The README is not part of the site, so Sphinx does not check its links to the guides."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", readme) if "://" not in t]
    assert targets and [t for t in targets if not (REPO / t).exists()] == []
