#!/usr/bin/env bash
# A test LMS on this machine (an optional recipe, beside scripts/hub.sh): an LTI 1.3 platform with one course,
# a link per assignment and a gradebook page (deploy/lms/platform_app.py, on lti1p3platform).
#   scripts/lms.sh start [CONFIG]   start it and print what the course registers (c.LMS lines for course_config.py)
#   scripts/lms.sh stop             stop it
# Without CONFIG it writes a demo config into $LMS_STATE (default /srv/adlm-lms): this course's assignments as
# links, student1, student2 and an instructor, teacher (the hub's own `instructor` account is no LMS user's), the
# hub at 127.0.0.1:$HUB_PORT (default 8000) as the tool, whose
# public keyset is the file $LMS_TOOL_JWKS (default $LMS_STATE/tool_jwks.json) or the URL $LMS_TOOL_JWKS_URL.
# The platform listens on 127.0.0.1:$LMS_PORT (default 8800); its keys and gradebook stay in $LMS_STATE.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=$(realpath -m "${LMS_STATE:-/srv/adlm-lms}")
py=$repo/.venv/bin/python
fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; exit 1; }

stop() {
  local pid
  pid=$(cat "$state/lms.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then echo "stopped the LMS"; else echo "no LMS is running from $state"; fi
  rm -f "$state/lms.pid"
}

demo_config() {
  local jwks=${LMS_TOOL_JWKS:-$state/tool_jwks.json}
  [ -n "${LMS_TOOL_JWKS_URL:-}" ] || [ -f "$jwks" ] || fail "no tool keyset in $jwks" \
    "write the course's: .venv/bin/course lms jwks > $jwks (or set LMS_TOOL_JWKS_URL)"
  JWKS=$jwks PORT=${LMS_PORT:-8800} HUB=http://127.0.0.1:${HUB_PORT:-8000}/hub "$py" - "$repo" "$state" <<'EOF'
import json, os, sys
from pathlib import Path
from autograder.course.coursedir import Course
course = Course.load(Path(sys.argv[1]))
url = os.environ.get("LMS_TOOL_JWKS_URL")
keys = {"jwks_url": url} if url else {"public_jwks": json.loads(Path(os.environ["JWKS"]).read_text())}
people = [("u-1001", "Student One", "student1", "Learner"), ("u-1002", "Student Two", "student2", "Learner"),
          ("u-9001", "Course Instructor", "teacher", "Instructor")]
config = {"url": f"http://127.0.0.1:{os.environ['PORT']}", "state": sys.argv[2],
          "tool": {"client_id": "adlm-hub", "deployment_id": "1", "login_url": os.environ["HUB"] + "/lti13/oauth_login",
                   "launch_url": os.environ["HUB"] + "/lti13/oauth_callback", **keys},
          "course": {"id": course.nbgrader.course_id, "title": course.syllabus.title,
                     "links": [{"id": a, "title": course.assignment(a)["title"],
                                "score_maximum": sum(course.assignment(a)["points"].values())}
                               for a in course.assignment_ids],
                     "members": [{"user_id": u, "name": n, "username": name, "email": f"{name}@example.edu",
                                  "roles": [role]} for u, n, name, role in people]}}
Path(sys.argv[2], "platform.json").write_text(json.dumps(config, indent=1))
EOF
}

start() {
  local config=${1:-$state/platform.json} url
  mkdir -p "$state" 2>/dev/null && [ -w "$state" ] || fail "cannot write $state" "run as root or set LMS_STATE"
  [ ! -s "$state/lms.pid" ] || ! kill -0 "$(cat "$state/lms.pid")" 2>/dev/null || fail "an LMS already runs from $state" "scripts/lms.sh stop"
  [ -n "${1:-}" ] || demo_config
  [ -f "$config" ] || fail "no config file $config" "give the platform's JSON config: scripts/lms.sh start CONFIG"
  config=$(realpath "$config")
  url=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"].rstrip("/"))' "$config") ||
    fail "$config has no \"url\"" "see deploy/lms/platform_app.py for the format"
  # A session of its own, holding none of this script's output: it outlives the shell that started it.
  LMS_PLATFORM_CONFIG=$config setsid "$py" -m uvicorn --app-dir "$repo/deploy/lms" --factory platform_app:create_app \
    --host 127.0.0.1 --port "${url##*:}" --timeout-graceful-shutdown 2 >"$state/lms.log" 2>&1 </dev/null &
  echo $! >"$state/lms.pid"
  until "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$url/jwks" 2>/dev/null; do
    kill -0 "$(cat "$state/lms.pid")" 2>/dev/null || { rm -f "$state/lms.pid"; tail -3 "$state/lms.log" >&2
      fail "the LMS did not start" "see $state/lms.log"; }
    sleep 0.5
  done
  echo "the LMS is at $url/ (its gradebook: $url/gradebook); register it in course_config.py:"
  "$py" - "$config" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
url, tool, course = config["url"].rstrip("/"), config["tool"], config["course"]["id"]
for key, value in [("issuer", url), ("client_id", tool["client_id"]), ("deployment_id", tool["deployment_id"]),
                   ("authorize_url", f"{url}/authorize"), ("jwks_url", f"{url}/jwks"), ("token_url", f"{url}/token"),
                   ("memberships_url", f"{url}/courses/{course}/memberships"),
                   ("lineitems_url", f"{url}/courses/{course}/lineitems"), ("username_key", "email")]:
    print(f"c.LMS.{key} = {json.dumps(value)}")
EOF
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: scripts/lms.sh start [CONFIG] | stop" >&2; exit 2 ;;
esac
