"""The real `course watch`, with what it does written down for bench/rush.py: each HTTP request it
makes to the exchange service (when it starts, so that a watch killed mid-download shows which one,
and its status and seconds when it ends), each pass's start and end, and each grading record as it is
saved. One JSON line each, appended to $RUSH_WATCH_LOG; everything else is `course ARGS` as it is.

Usage (as bench/rush.py runs it): RUSH_WATCH_LOG=FILE python bench/rush_watch.py --course-dir DIR watch ID --exchange
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograder.cli import main  # noqa: E402
from autograder.grading import results  # noqa: E402
from autograder.verbs import watch  # noqa: E402

_LOG = []  # the log file, opened by the watch's own process (its grading workers import this module too)


def note(event: str, **fields) -> None:
    _LOG[0].write(json.dumps({"t": time.time(), "pid": os.getpid(), "event": event, **fields}) + "\n")


def _path(url: str) -> str:
    return urlparse(url).path.split("/services/ngshare", 1)[-1]


_request = requests.sessions.Session.request


def _noted_request(self, method, url, *args, **kwargs):
    note("request", method=method, path=_path(url))
    started = time.monotonic()
    try:
        reply = _request(self, method, url, *args, **kwargs)
    except Exception as exc:
        note("reply", method=method, path=_path(url), status=type(exc).__name__, seconds=time.monotonic() - started)
        raise
    note("reply", method=method, path=_path(url), status=reply.status_code, seconds=time.monotonic() - started)
    return reply


_one_pass = watch.one_pass


def _noted_pass(**kwargs):
    note("pass start")
    try:
        done = _one_pass(**kwargs)
    except BaseException as exc:
        note("pass end", error=f"{type(exc).__name__}: {exc}")
        raise
    note("pass end", collected=len(done.collected.placed) if done.collected else 0,
         refused=len(done.collected.refused) if done.collected else 0, graded=len(done.graded),
         released=len(done.released))
    return done


_save = results.save


def _noted_save(result, path):
    _save(result, path)
    note("graded", student=result.student_id, submitted_at=result.submitted_at, started_at=result.started_at,
         status=result.status, score=result.score)


if __name__ == "__main__":  # not in the grading workers, which import this module as __mp_main__
    _LOG.append(open(os.environ["RUSH_WATCH_LOG"], "a", buffering=1, encoding="utf-8"))  # each line lands whole
    requests.sessions.Session.request = _noted_request
    watch.one_pass = _noted_pass
    results.save = _noted_save
    sys.exit(main(sys.argv[1:]))
