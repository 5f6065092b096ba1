# nbgrader's settings for students' servers when the exchange is the course's ngshare service: the
# Assignments panel and nbgrader's commands then fetch, submit and fetch feedback over HTTP with the
# server's own hub token, and no exchange folder is needed. One file for every place a student's
# server runs: scripts/hub.sh (HUB_EXCHANGE=ngshare) copies it into the hub's environment, the
# Kubernetes image (deploy/kubernetes/Dockerfile) and the Slurm environment (deploy/slurm/README.md)
# put it in /etc/jupyter. No course id: the panel lists every course the student takes on the
# service, the course's own and, for a roster exam, the one that holds their own paper.
import os

from ngshare_exchange import ExchangeSubmit

c = get_config()  # noqa: F821 - provided by the traitlets config loader


class Submit(ExchangeSubmit):
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


for role, name in (("exchange", "Exchange"), ("fetch_assignment", "ExchangeFetchAssignment"),
                   ("fetch_feedback", "ExchangeFetchFeedback"), ("release_assignment", "ExchangeReleaseAssignment"),
                   ("release_feedback", "ExchangeReleaseFeedback"), ("list", "ExchangeList"),
                   ("collect", "ExchangeCollect")):
    c.ExchangeFactory[role] = f"ngshare_exchange.{name}"
c.ExchangeFactory.submit = Submit
# Where the hub's proxy serves ngshare; zero-to-jupyterhub's in-cluster name unless the spawner says.
c.Exchange._ngshare_url = os.environ.get("ADLM_NGSHARE_URL", "http://proxy-public/services/ngshare")
