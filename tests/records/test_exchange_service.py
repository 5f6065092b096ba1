"""The ngshare exchange's failures, without a hub: a service that is not there, a token that cannot be
read, a roster exam on the folder exchange. Each command says what it tried and what to check in
one line and a hint, and changes nothing. (The service itself, working and hanging, is tested on a
real hub in tests/hub/test_hub_journey.py.)"""

from __future__ import annotations

import socket

import pytest

from tests.conftest import course_main, make_course_copy


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def course_without_service(tmp_path):
    token = tmp_path / "staff-token"
    token.write_text("not-a-real-token\n")
    return make_course_copy(tmp_path, extra_config=(
        f'\nc.ExchangeService.url = "http://127.0.0.1:{closed_port()}/services/ngshare"\n'
        f'c.ExchangeService.token_file = "{token}"\n'))


@pytest.mark.parametrize("args, tried", [
    (("release", "01_layer_math", "--exchange"), "release 01_layer_math into the exchange"),
    (("collect", "01_layer_math", "--exchange"), "collect 01_layer_math from the exchange"),
    (("watch", "01_layer_math", "--exchange", "--once"), "collect 01_layer_math from the exchange"),
    (("enroll", "student1", "student2"), "enroll students on the exchange"),
])
def test_a_service_that_is_down_is_named_with_what_was_tried_and_nothing_changes(course_without_service, monkeypatch,
                                                                                  args, tried):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    course = course_without_service
    code, out = course_main(course, *args)
    out = " ".join(out.split())  # the console wraps long lines
    assert code != 0, out
    url = course.exchange_service.url
    assert f"could not {tried}: the exchange service {url} is not reachable (connection refused)" in out, out
    assert "scripts/hub.sh start" in out and "Traceback" not in out
    assert not course.submissions_root().exists()  # nothing collected, nothing half-written


def test_an_unreadable_staff_token_is_named_before_anything_is_asked(course_without_service, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    course = course_without_service
    (course.root.parent / "staff-token").unlink()
    code, out = course_main(course, "watch", "01_layer_math", "--exchange", "--once")
    out = " ".join(out.split())
    assert code != 0 and "the staff's token file" in out and "cannot be read" in out, out


def test_the_folder_exchange_refuses_to_hand_out_students_own_papers(tmp_path):
    course = make_course_copy(tmp_path, extra_config=f'\nc.Exchange.root = "{tmp_path}/exchange"\n')
    (tmp_path / "exchange").mkdir(mode=0o777)
    (tmp_path / "exchange").chmod(0o1777)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\nstudent1\nstudent2\n")
    assert course_main(course, "exam", "generate", "practice_exam", "--roster", str(roster))[0] == 0
    code, out = course_main(course, "release", "practice_exam", "--exchange")
    out = " ".join(out.split())
    assert code != 0 and "gives each student their own paper" in out and "HUB_EXCHANGE=ngshare" in out, out
    assert not (tmp_path / "exchange" / "adlm" / "outbound" / "practice_exam").exists()
