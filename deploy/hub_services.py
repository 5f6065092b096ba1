"""The exchange as the hub's own service: ngshare, which the hub starts and restarts, and the staff's
identity on it. One definition for every hub config that runs ngshare itself (deploy/hub for one
machine, deploy/slurm for a cluster's login node); it needs nothing beyond the standard library, so
a hub's config imports it wherever JupyterHub is installed.

ngshare runs from its own environment (`<folder>/env`: it needs SQLAlchemy 1.4) through
deploy/ngshare_service.py, which keeps it on 127.0.0.1, where only the hub's proxy reaches it, refuses
callers the hub does not know, and enforces the course's size limits on a submission (keep them equal
to the course's c.ExchangeService.max_file_mb and max_submission_mb). course-staff is the staff
commands' identity (c.ExchangeService.token_file holds its token) and ngshare's admin.
"""

from __future__ import annotations

from pathlib import Path

STAFF = "course-staff"


def ngshare_services(*, folder: str, launcher: str, port: int, staff_token_file: str,
                     max_file_mb: int = 20, max_submission_mb: int = 50) -> list[dict]:
    """c.JupyterHub.services for ngshare on 127.0.0.1:`port`, its environment, database and files in `folder`."""
    token = Path(staff_token_file)
    return [
        {"name": "ngshare", "url": f"http://127.0.0.1:{port}",
         "command": [f"{folder}/env/bin/python", launcher,
                     "--max-file-mb", str(max_file_mb), "--max-submission-mb", str(max_submission_mb),
                     "--admins", STAFF, "--database", f"sqlite:///{folder}/ngshare.db", "--storage", f"{folder}/files/"]},
        # Without its token file the hub still starts, and the staff's commands say the token is missing.
        {"name": STAFF, "api_token": token.read_text().strip() if token.exists() else None},
    ]
