# JupyterHub on a Slurm cluster's login node, users' servers as batch jobs (batchspawner), the
# exchange as the hub's ngshare service: compute nodes share no exchange folder with anyone.
# Adapt the names marked "site:" and run `jupyterhub -f deploy/slurm/jupyterhub_config.py` as root.
# The users' environment (ADLM_ENV) is the course's student environment, installed once on the
# cluster's shared software disk (deploy/slurm/README.md); grading runs on the GPU partition with
# `course grade --backend slurm` from the staff's checkout, not through the hub.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # deploy/, for hub_services
from hub_services import ngshare_services  # noqa: E402

c = get_config()  # noqa: F821 - provided by the traitlets config loader

ADLM_ENV = os.environ.get("ADLM_ENV", "/opt/adlm/env")  # site: the student environment on the shared disk
HUB_HOST = os.environ.get("ADLM_HUB_HOST", "login01.cluster.example.org")  # site: how compute nodes reach this node
STATE = os.environ.get("ADLM_HUB_STATE", "/var/lib/adlm-hub")  # root's alone (700): database, tokens, ngshare
NGSHARE_URL = f"http://{HUB_HOST}:8000/services/ngshare"

c.JupyterHub.bind_url = "http://0.0.0.0:8000"
c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
c.JupyterHub.hub_connect_url = f"http://{HUB_HOST}:8081"  # what the servers on compute nodes call back
c.JupyterHub.db_url = f"sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{STATE}/jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "pam"  # site: the cluster's own accounts
c.Authenticator.allowed_users = set()  # site: or manage users through an admin group
c.Authenticator.admin_users = {"instructor"}

c.JupyterHub.spawner_class = "batchspawner.SlurmSpawner"
c.SlurmSpawner.req_partition = "interactive"  # site: a CPU partition for notebooks
c.SlurmSpawner.req_runtime = "4:00:00"
c.SlurmSpawner.req_memory = "8G"
c.SlurmSpawner.req_nprocs = "2"
c.SlurmSpawner.start_timeout = 300  # a queued job may wait for a node
c.SlurmSpawner.req_prologue = f"export PATH={ADLM_ENV}/bin:$PATH ADLM_NGSHARE_URL={NGSHARE_URL}"
c.Spawner.cmd = [f"{ADLM_ENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"

# The exchange: ngshare, run by the hub on this node as on one machine (deploy/hub_services.py says
# how). site: the size limits of a submission, equal to the course's c.ExchangeService ones.
c.JupyterHub.services = ngshare_services(folder=f"{STATE}/ngshare", launcher=f"{STATE}/ngshare/ngshare_service.py",
                                         port=8003, staff_token_file=f"{STATE}/staff-token",
                                         max_file_mb=20, max_submission_mb=50)
