"""One simulated student's exchange call, in a worker process of bench/rush.py's pool: what a
student's Jupyter server does when its Assignments panel fetches, submits or fetches feedback.

The calls are nbgrader's own, through the classes deploy/student_nbgrader_config.py gives a
student's server (ngshare-exchange's, with the student library's Submit), built as nbgrader's
assignment_list extension builds them. A server holds one user; a worker serves many, so before each
call it puts the student's hub token and name where those classes read them (the environment, and
the name ngshare-exchange's Exchange took from it when it was imported). Each student has a folder
of their own, their home, with their nbgrader cache in it. Every HTTP request the classes make is
timed here, as the student's browser would wait for it.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from pathlib import Path
from urllib.parse import urlparse

_calls: list[dict] = []  # the HTTP requests of the call in progress
_said: list[str] = []  # what the exchange classes logged as warnings or errors during it


class _Heard(logging.Handler):
    def emit(self, record):
        _said.append(record.getMessage().splitlines()[0])


def start_worker() -> None:
    """The pool's initializer: nbgrader and ngshare-exchange imported once, their requests timed."""
    os.environ.setdefault("USER", "rush")  # ngshare-exchange reads a name when it is imported
    import requests

    request = requests.request

    def timed(method, url, **kwargs):
        path = urlparse(url).path.split("/services/ngshare", 1)[-1]
        started, at = time.monotonic(), time.time()
        try:
            reply = request(method, url, **kwargs)
        except Exception as exc:
            _calls.append({"at": at, "method": method, "path": path, "status": type(exc).__name__,
                           "seconds": time.monotonic() - started})
            raise
        _calls.append({"at": at, "method": method, "path": path, "status": reply.status_code,
                       "seconds": time.monotonic() - started})
        return reply

    requests.request = timed  # ngshare-exchange calls requests.request for every request
    import ngshare_exchange  # noqa: F401
    import nbgrader.exchange  # noqa: F401

    heard = logging.getLogger("traitlets")  # where nbgrader's exchange classes log, with no app around them
    heard.handlers[:] = [_Heard(logging.WARNING)]
    heard.propagate = False


def _config(url: str, home: Path, course_id: str, assignment_id: str):
    from dlmed.ngshare_classes import exchange_factory
    from traitlets.config import Config

    config = Config()
    for role, cls in exchange_factory().items():
        config.ExchangeFactory[role] = cls
    config.Exchange._ngshare_url = url
    config.Exchange.assignment_dir = str(home)
    config.Exchange.cache = str(home / ".nbgrader_cache")
    config.ExchangeFetchAssignment.replace_missing_files = True  # a fetch tried again after a failed one
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.assignment_id = assignment_id
    return config


def _exchange(role: str, config):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    factory = ExchangeFactory(config=config)
    return getattr(factory, role)(coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config),
                                  config=config)


def act(action: str, *, user: str, token: str, url: str, home: str, course_id: str, assignment_id: str,
        notebook: bytes = b"", file_name: str = "", released_name: str = "", extra_mb: float = 0,
        timestamp: str = "") -> dict:
    """One of "fetch", "submit" (`notebook` saved as `file_name` in place of the released notebook,
    with a data file of `extra_mb` beside it) or "feedback" (`timestamp`: the submission whose
    feedback the student waits for). Returns what the student saw: ok, error, and for a submit its
    timestamp, for feedback whether the page for `timestamp` came."""
    import ngshare_exchange.exchange

    os.environ.update(JUPYTERHUB_API_TOKEN=token, JUPYTERHUB_USER=user)
    ngshare_exchange.exchange.Exchange.username = user
    _calls.clear()
    _said.clear()
    folder = Path(home) / assignment_id
    started = time.time()
    answer: dict = {"ok": False, "error": ""}
    try:
        config = _config(url, Path(home), course_id, assignment_id)
        if action == "fetch":
            _exchange("FetchAssignment", config).start()
            answer["ok"] = (folder / released_name).is_file()
        elif action == "submit":
            (folder / released_name).unlink(missing_ok=True)
            (folder / file_name).write_bytes(notebook)
            data = folder / "scan.npy"  # a student's data file, left in the folder they submit
            if extra_mb:
                data.write_bytes(os.urandom(int(extra_mb * 2**20)))
            else:
                data.unlink(missing_ok=True)
            submit = _exchange("Submit", config)
            submit.start()
            answer.update(ok=True, timestamp=submit.timestamp)
        elif action == "feedback":
            _exchange("FetchFeedback", config).start()
            answer["ok"] = any((folder / "feedback" / timestamp).glob("*.html"))
        else:
            raise ValueError(f"no action {action}")
    except Exception as exc:  # nbgrader's ExchangeError: what the Assignments panel shows the student
        answer["error"] = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        if type(exc).__name__ != "ExchangeError":
            answer["error"] += " | " + traceback.format_exc().splitlines()[-1]
    if not answer["ok"] and not answer["error"] and _said:
        answer["error"] = _said[-1]
    answer.update(started=started, ended=time.time(), calls=list(_calls))
    return answer
