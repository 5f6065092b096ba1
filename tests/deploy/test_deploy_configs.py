"""The configurations for a course beyond one machine load and say what they must: users' servers on
Kubernetes (zero-to-jupyterhub values, the users' image) or as Slurm jobs (batchspawner), the
exchange being the ngshare service in both. No cluster is started: each file is loaded by what would
load it (Helm's YAML, traitlets' config loader) and checked against the real classes' options."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import yaml
from nbgrader.exchange import ExchangeFactory
from traitlets.config import Config, PyFileConfigLoader
from traitlets.utils.importstring import import_item

from autograder.hub import steps
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
ROLES = ("exchange", "fetch_assignment", "fetch_feedback", "release_assignment", "release_feedback", "list", "submit",
         "collect")


def load(path) -> Config:
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


@pytest.mark.parametrize("url", [None, "http://hub.example.org:8000/services/ngshare"])
def test_students_nbgrader_config_routes_every_exchange_role_through_ngshare(monkeypatch, url):
    if url:
        monkeypatch.setenv("ADLM_NGSHARE_URL", url)
    else:
        monkeypatch.delenv("ADLM_NGSHARE_URL", raising=False)
    monkeypatch.setenv("USER", "student1")  # ngshare_exchange names the submitter from it on import
    config = load(DEPLOY / "student_nbgrader_config.py")
    factory = ExchangeFactory(config=config)
    for role in ROLES:
        assert any(k.__module__.startswith("ngshare_exchange.") for k in getattr(factory, role).__mro__), role
    lister = factory.List(config=config)
    assert lister.ngshare_url == (url or "http://proxy-public/services/ngshare")
    assert "course_id" not in config.get("CourseDirectory", {})  # the panel lists every course the student takes


def _values():
    return yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())


def test_zero_to_jupyterhub_values_name_the_image_the_service_and_the_staff_token():
    values = _values()
    services = values["hub"]["services"]
    assert services["ngshare"]["url"].startswith("http://ngshare.") and services["ngshare"]["apiToken"]
    assert services["course-staff"]["apiToken"]
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert single["extraEnv"]["ADLM_NGSHARE_URL"] == "http://proxy-public/services/ngshare"
    ngshare = yaml.safe_load((DEPLOY / "kubernetes" / "ngshare-values.yaml").read_text())
    assert ngshare["ngshare"]["admins"] == ["course-staff"]  # the staff's commands create courses and enroll
    dockerfile = (DEPLOY / "kubernetes" / "Dockerfile").read_text()
    wheel = re.search(r"COPY (release/\S+\.whl)", dockerfile).group(1)
    assert (REPO / wheel).is_file()  # the student library the course releases
    assert "COPY deploy/student_nbgrader_config.py /etc/jupyter/nbgrader_config.py" in dockerfile
    assert "-c /tmp/constraints.txt" in dockerfile


def test_only_staff_servers_on_kubernetes_mount_the_course_volume():
    c = Config()
    exec(compile(_values()["hub"]["extraConfig"]["course-for-staff"], "values.yaml", "exec"), {"c": c})
    hook = c.KubeSpawner.pre_spawn_hook

    def spawned(name):
        spawner = SimpleNamespace(user=SimpleNamespace(name=name), volumes=[], volume_mounts=[], environment={})
        hook(spawner)
        return spawner

    staff, student = spawned("instructor"), spawned("student1")
    assert staff.volumes == [{"name": "course", "persistentVolumeClaim": {"claimName": "adlm-course"}}]
    assert staff.volume_mounts[0]["mountPath"] == "/srv/course"
    assert student.volumes == [] and student.volume_mounts == [] and student.environment == {}


def test_the_slurm_hub_spawns_batch_jobs_runs_ngshare_and_sets_only_real_options(tmp_path, monkeypatch):
    (tmp_path / "staff-token").write_text("s3cret\n")
    monkeypatch.setenv("ADLM_HUB_STATE", str(tmp_path))
    monkeypatch.setenv("ADLM_HUB_HOST", "login01")
    config = load(DEPLOY / "slurm" / "jupyterhub_config.py")
    spawner = import_item(config.JupyterHub.spawner_class)
    assert spawner.__name__ == "SlurmSpawner"
    for key in config.SlurmSpawner:  # a misspelt option would be ignored by JupyterHub without a word
        assert key in spawner.class_trait_names(config=True), key
    assert config.JupyterHub.hub_connect_url == "http://login01:8081"
    assert "ADLM_NGSHARE_URL=http://login01:8000/services/ngshare" in config.SlurmSpawner.req_prologue
    ngshare, staff = config.JupyterHub.services
    assert ngshare["name"] == "ngshare" and ngshare["command"][1] == f"{tmp_path}/ngshare/ngshare_service.py"
    assert ngshare["command"][0] == f"{tmp_path}/ngshare/env/bin/python"  # its own environment (SQLAlchemy 1.4)
    assert staff == {"name": "course-staff", "api_token": "s3cret"}


def _one_machine_hub(monkeypatch, tmp_path, **settings) -> Config:
    for name in ("HUB_PORT", "HUB_STUDENTS", "HUB_INSTRUCTOR", "HUB_EXCHANGE", "HUB_AUTH_CONFIG", "HUB_DEMO_LOGIN",
                 "HUB_PASSWORD", "HUB_START_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUB_STATE", str(tmp_path))
    monkeypatch.setenv("HUB_COURSE", str(REPO))
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return load(DEPLOY / "hub" / "jupyterhub_config.py")


def test_the_one_machine_hub_runs_the_same_ngshare_service_as_the_slurm_hub(tmp_path, monkeypatch, repo_course):
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "staff-token").write_text("s3cret\n")
    config = _one_machine_hub(monkeypatch, tmp_path, HUB_EXCHANGE="ngshare", HUB_PORT="9100")
    ngshare, staff = config.JupyterHub.services
    assert ngshare["url"] == "http://127.0.0.1:9103"
    assert ngshare["command"][:2] == [f"{tmp_path}/hub/ngshare/env/bin/python", str(DEPLOY / "ngshare_service.py")]
    limits = repo_course.exchange_service  # the course's own size limits for a submission
    assert ngshare["command"][2:6] == ["--max-file-mb", str(limits.max_file_mb), "--max-submission-mb",
                                       str(limits.max_submission_mb)]
    assert staff == {"name": "course-staff", "api_token": "s3cret"}
    monkeypatch.setenv("ADLM_HUB_STATE", str(tmp_path / "slurm"))
    slurm, _ = load(DEPLOY / "slurm" / "jupyterhub_config.py").JupyterHub.services
    assert [part for part in slurm["command"] if part.startswith("--")] == [
        part for part in ngshare["command"] if part.startswith("--")]  # one definition of the service
    assert config.Spawner.environment["ADLM_NGSHARE_URL"] == "http://127.0.0.1:9100/services/ngshare"
    assert config.JupyterHub.authenticator_class == "pam" and config.Authenticator.allowed_users == {
        "instructor", "student1", "student2"}


def test_the_one_machine_hub_reads_its_settings_as_values_never_as_code(tmp_path, monkeypatch):
    password = 'a "quote\' and \\ a backslash'
    config = _one_machine_hub(monkeypatch, tmp_path, HUB_DEMO_LOGIN="1", HUB_PASSWORD=password,
                              HUB_STUDENTS="ada  grace", HUB_INSTRUCTOR="alan")
    assert config.JupyterHub.authenticator_class == "dummy" and config.DummyAuthenticator.password == password
    assert config.Authenticator.allowed_users == {"alan", "ada", "grace"} and config.Authenticator.admin_users == {"alan"}
    assert "services" not in config.JupyterHub  # the folder exchange: no service
    assert config.JupyterHub.db_url == f"sqlite:///{tmp_path}/hub/jupyterhub.sqlite"
    hook = config.Spawner.pre_spawn_hook
    # Staff are the instructor and the members of the course's group (LMS staff); these users are not real.
    monkeypatch.setattr(steps, "_course_group", lambda hub: SimpleNamespace(gr_mem=["grace"]))
    spawners = {name: SimpleNamespace(user=SimpleNamespace(name=name), notebook_dir="", args=None)
                for name in ("alan", "ada", "grace")}
    for spawner in spawners.values():
        hook(spawner)
    # formgrader's course for staff; a student's server has no formgrader at all
    assert [spawners[name].notebook_dir for name in ("alan", "grace", "ada")] == [str(REPO), str(REPO), ""]
    assert spawners["alan"].args == [] and "formgrader=False" in " ".join(spawners["ada"].args)
    auth = tmp_path / "login.py"
    auth.write_text('c.JupyterHub.authenticator_class = "generic-oauth"\n')
    assert _one_machine_hub(monkeypatch, tmp_path, HUB_AUTH_CONFIG=str(auth)).JupyterHub.authenticator_class == "generic-oauth"
