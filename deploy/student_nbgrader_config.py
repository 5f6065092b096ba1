# nbgrader's settings for students' servers when the exchange is the course's ngshare service: the
# Assignments panel and nbgrader's commands then fetch, submit and fetch feedback over HTTP with the
# server's own hub token, and no exchange folder is needed. One file for every place a student's
# server runs: scripts/hub.sh (HUB_EXCHANGE=ngshare) copies it into the hub's environment, the
# Kubernetes image (deploy/kubernetes/Dockerfile) and the Slurm environment (deploy/slurm/README.md)
# put it in /etc/jupyter. No course id: the panel lists every course the student takes on the
# service, the course's own and, for a roster exam, the one that holds their own paper.
import os

c = get_config()  # noqa: F821 - provided by the traitlets config loader

for role, name in (("exchange", "Exchange"), ("fetch_assignment", "ExchangeFetchAssignment"),
                   ("fetch_feedback", "ExchangeFetchFeedback"), ("release_assignment", "ExchangeReleaseAssignment"),
                   ("release_feedback", "ExchangeReleaseFeedback"), ("list", "ExchangeList"),
                   ("submit", "ExchangeSubmit"), ("collect", "ExchangeCollect")):
    c.ExchangeFactory[role] = f"ngshare_exchange.{name}"
# Where the hub's proxy serves ngshare; zero-to-jupyterhub's in-cluster name unless the spawner says.
c.Exchange._ngshare_url = os.environ.get("ADLM_NGSHARE_URL", "http://proxy-public/services/ngshare")
