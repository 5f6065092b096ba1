# JupyterHub on a Slurm cluster's login node, users' servers as batch jobs (batchspawner), the
# exchange as the hub's ngshare service: compute nodes share no exchange folder with anyone.
# Adapt the names marked "site:" and run `jupyterhub -f deploy/slurm/jupyterhub_config.py` as root.
# The users' environment (ADLM_ENV) is the course's student environment, installed once on the
# cluster's shared software disk (deploy/slurm/README.md); grading runs on the GPU partition with
# `course grade --backend slurm` from the staff's checkout, not through the hub.
import os

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

# The exchange: ngshare, run by the hub on this node, as in scripts/hub.sh; course-staff is the staff
# commands' identity (c.ExchangeService.token_file holds its token) and ngshare's admin. Its launcher
# (deploy/ngshare_service.py) keeps it on 127.0.0.1, where only the hub's proxy reaches it (every
# user of the login node would reach ngshare's own all-interfaces port), and sets the size limits of a
# submission: keep them equal to c.ExchangeService.max_file_mb and max_submission_mb.
c.JupyterHub.services = [
    {"name": "ngshare", "url": "http://127.0.0.1:8003",
     "command": [f"{STATE}/ngshare/env/bin/python", f"{STATE}/ngshare/ngshare_service.py",
                 "--max-file-mb", "20", "--max-submission-mb", "50", "--admins", "course-staff",
                 "--database", f"sqlite:///{STATE}/ngshare/ngshare.db", "--storage", f"{STATE}/ngshare/files/"]},
    {"name": "course-staff", "api_token": open(f"{STATE}/staff-token").read().strip()
     if os.path.exists(f"{STATE}/staff-token") else None},
]
