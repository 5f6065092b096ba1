"""The course's side of the one-machine hub without a hub: its settings refused in one line each,
the course's exchange matched against the hub's, the configs it writes read back as values."""

from __future__ import annotations

import pytest
from traitlets.config import PyFileConfigLoader

from autograder.cli import main
from autograder.course.errors import CourseError
from autograder.hub import steps
from autograder.hub.settings import HubSettings
from tests.conftest import REPO


@pytest.mark.parametrize("environ, said", [
    ({"HUB_EXCHANGE": "nfs"}, "HUB_EXCHANGE is nfs"),
    ({"HUB_PASSWORD": "x"}, "HUB_PASSWORD is the demo login's one password for everyone"),
    ({"HUB_PORT": "80a"}, "HUB_PORT is '80a', not a port"),
    ({"HUB_PORT": "65534"}, "HUB_PORT is '65534', not a port"),
    ({"HUB_AUTH_CONFIG": "/nowhere/auth.py"}, "HUB_AUTH_CONFIG names /nowhere/auth.py, which is not a file"),
])
def test_bad_hub_settings_are_refused_in_one_line_with_a_hint(environ, said):
    with pytest.raises(CourseError) as refused:
        HubSettings.from_environ(environ)
    assert refused.value.message.startswith(said) and refused.value.hint


def test_a_course_that_would_miss_the_hubs_ngshare_exchange_is_refused_with_the_lines_to_add(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUB_STATE", str(tmp_path))
    monkeypatch.setenv("HUB_EXCHANGE", "ngshare")
    monkeypatch.setenv("HUB_PORT", "9200")
    for name in ("HUB_PASSWORD", "HUB_AUTH_CONFIG", "HUB_DEMO_LOGIN", "HUB_START_SECONDS", "HUB_INSTRUCTOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(steps.os, "geteuid", lambda: 0)  # refused before anything needs root
    assert main(["--course-dir", str(REPO), "hub", "check"]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert "error: the course's staff commands would not reach this hub's ngshare exchange" in said
    assert (f'c.ExchangeService.url = "http://127.0.0.1:9200/services/ngshare"; c.ExchangeService.token_file = '
            f'"{tmp_path}/hub/staff-token"; c.ExchangeService.instructors = ["instructor"]') in said


def test_the_nbgrader_configs_setup_writes_hold_values_whatever_quotes_they_hold(tmp_path):
    odd = tmp_path / "a \"quoted\" 'course' \\ folder"
    steps._write_config(tmp_path / "nbgrader_config.py", CourseDirectory={"root": str(odd), "course_id": 'x"); import os; ("'})
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.CourseDirectory.root == str(odd) and config.CourseDirectory.course_id == 'x"); import os; ("'


def test_a_hub_that_stops_while_starting_is_reported_by_what_ended_its_log(tmp_path):
    hub = HubSettings.from_environ({"HUB_STATE": str(tmp_path), "HUB_PORT": "1"})  # nothing answers on port 1
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "hub.pid").write_text("999999999\n")  # no such process
    (tmp_path / "hub" / "hub.log").write_text("[I 12:00 JupyterHub app:1] starting\nTraceback (most recent call last):\n"
                                              "  File \"x\", line 1\n\x1b[31mValueError: no such authenticator: 'oauth'\x1b[0m\n"
                                              "[E 12:00 JupyterHub app:2] exiting\n")
    with pytest.raises(CourseError) as refused:
        steps.publish(None, hub)
    assert refused.value.message == "the hub did not start: ValueError: no such authenticator: 'oauth'"
    assert refused.value.hint == f"its log is {tmp_path}/hub/hub.log"
