"""nbgrader's exchange roles served by ngshare-exchange's classes, listed once for both sides.

The students' servers load it from deploy/student_nbgrader_config.py and the staff's commands from
the exchange of the course (autograder/intake/exchange_service.py). It lives in the student
library because the students' environments (the hub's, the Kubernetes image, the Slurm one) hold
this library and nbgrader, never the staff package. Imported only where ngshare-exchange is
installed: nothing else in the library imports it.
"""

from __future__ import annotations

import ngshare_exchange


class Submit(ngshare_exchange.ExchangeSubmit):
    """ngshare-exchange's submit only logs an upload the service refused, so the Assignments panel said
    nothing while nothing was kept: this one fails with what the service said (a file over the
    course's size limit, a name no disk can store), which the panel shows."""

    answer = "it did not answer"

    def _ngshare_api_check_error(self, response, url):
        checked = super()._ngshare_api_check_error(response, url)
        if checked is None:
            try:
                self.answer = response.json()["message"]
            except (ValueError, KeyError, TypeError):  # a proxy's or the web server's page, no JSON
                self.answer = f"it answered HTTP {response.status_code}"
        return checked

    def post_submission(self, src_path):
        timestamp = super().post_submission(src_path)
        if timestamp is None:
            reason = self.answer if self.answer.endswith("submit again.") else (
                f"{self.answer}. If the assignment's folder holds large files, leave them out and submit again.")
            self.fail(f"The exchange did not keep your submission: {reason}")
        return timestamp


def exchange_factory(**ours: type) -> dict[str, type]:
    """c.ExchangeFactory's settings: every role served by ngshare-exchange, with `ours` (role -> class)
    in place of its own where a side needs more (the staff's collect)."""
    return {"exchange": ngshare_exchange.Exchange, "fetch_assignment": ngshare_exchange.ExchangeFetchAssignment,
            "fetch_feedback": ngshare_exchange.ExchangeFetchFeedback,
            "release_assignment": ngshare_exchange.ExchangeReleaseAssignment,
            "release_feedback": ngshare_exchange.ExchangeReleaseFeedback, "list": ngshare_exchange.ExchangeList,
            "collect": ngshare_exchange.ExchangeCollect, "submit": Submit, **ours}
