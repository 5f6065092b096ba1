# JupyterHub for the course on this one machine: users' servers as local processes, run as each
# user, from the hub's student environment. scripts/hub.sh makes the users and the environments, runs
# `course hub check` and `course hub setup`, then starts `jupyterhub -f deploy/hub/jupyterhub_config.py`
# as root from the course's .venv (which this file imports the course from). Every setting is read
# from the environment (HUB_STATE, HUB_PORT, HUB_EXCHANGE, HUB_DEMO_LOGIN, ...: autograder/hub/settings.py
# lists them); change anything else here.
import os
import sys

from autograder.course.coursedir import Course
from autograder.hub.settings import HubSettings
from autograder.hub.steps import is_staff

DEPLOY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, DEPLOY)
from hub_services import ngshare_services  # noqa: E402

c = get_config()  # noqa: F821 - provided by the traitlets config loader
hub = HubSettings.from_environ()

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = hub.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = hub.port + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{hub.port + 2}"
c.ConfigurableHTTPProxy.command = [str(hub.proxy)]
c.JupyterHub.db_url = f"sqlite:///{hub.private}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = str(hub.private / "jupyterhub_cookie_secret")

# The login: PAM against the Unix users, unless the demo's, the LMS's (LTI 1.3: who may enter and who
# is staff come from the launch; see autograder/hub/lti_login.py) or the institution's (loaded at the end).
if hub.auth == "lti13":
    from autograder.hub.lti_login import LMSAuthenticator

    c.JupyterHub.authenticator_class = LMSAuthenticator  # no admin users: lti_login.py says why
else:
    if hub.demo_password is not None:
        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = hub.demo_password
    elif hub.auth_config is None:
        c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allowed_users = set(hub.users)
    c.Authenticator.admin_users = {hub.instructor}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(hub.env / "bin" / "python"), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
# LD_LIBRARY_PATH: where the hub's interpreter, when scripts/hub.sh linked it into HUB_STATE, finds its library.
c.Spawner.environment = {"PATH": f"{hub.env}/bin:/usr/local/bin:/usr/bin:/bin",
                         "LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH", ""), "ADLM_NGSHARE_URL": hub.service_url}
# First spawns on a busy 2-core machine take 15-20 s.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def course_for_the_staff(spawner):
    # Each spawn decides again (the spawner outlives a server): an LMS user's staff role can come and go.
    # formgrader shows only courses inside the server's root folder; a student's would grade a course of their own.
    staff = is_staff(hub, spawner.user.name)
    spawner.notebook_dir = str(hub.course) if staff else ""
    spawner.args = [] if staff else ["--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=False"]


c.Spawner.pre_spawn_hook = course_for_the_staff

if hub.exchange == "ngshare":
    limits = Course.load(hub.course).exchange_service
    c.JupyterHub.services = ngshare_services(
        folder=str(hub.private / "ngshare"), launcher=os.path.join(DEPLOY, "ngshare_service.py"),
        port=hub.port + 3, staff_token_file=str(hub.staff_token_file),
        max_file_mb=limits.max_file_mb, max_submission_mb=limits.max_submission_mb)

if hub.auth_config is not None:
    load_subconfig(str(hub.auth_config))  # noqa: F821 - the institution's login
