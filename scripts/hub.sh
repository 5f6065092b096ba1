#!/usr/bin/env bash
# The course on a JupyterHub on this machine (an optional recipe for admins; run as root).
#
#   scripts/hub.sh start [COURSE_DIR]   bring it up and print the URL (COURSE_DIR: the course the
#                                       instructor grades in; default a clone of this repository)
#   scripts/hub.sh stop                 stop the hub, its proxy and every user's server
#
# Students log in, fetch, validate and submit from JupyterLab's Assignments panel and fetch their
# feedback there; the instructor grades by hand in formgrader (/user/<instructor>/formgrader).
# Staff move work with `course release --exchange`, `course collect <id> --exchange`, `course
# feedback <id> --release`, or `course watch <id> --exchange`, run as root with --course-dir COURSE_DIR.
#
# Settings, from the environment:
#   HUB_STATE       where the hub keeps its files (default /srv/adlm-hub)
#   HUB_PORT        the hub's port on 127.0.0.1 (default 8000; it also uses the next two)
#   HUB_STUDENTS    the students' Unix users, made when missing (default "student1 student2")
#   HUB_INSTRUCTOR  the instructor's Unix user (default instructor)
#   HUB_PASSWORD    everyone's password: JupyterHub's dummy login, fit for a machine only staff and
#                   students reach; put a real authenticator in $HUB_STATE/jupyterhub_config.py otherwise
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=${HUB_STATE:-/srv/adlm-hub}
port=${HUB_PORT:-8000}
students=${HUB_STUDENTS:-student1 student2}
instructor=${HUB_INSTRUCTOR:-instructor}
password=${HUB_PASSWORD:-adlm-course}
fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; exit 1; }

stop() {
  local pid
  pid=$(cat "$state/hub.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # On SIGTERM the hub stops the users' servers and its proxy itself.
    kill "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "stopped the hub"
  else
    echo "no hub is running from $state"
  fi
  rm -f "$state/hub.pid"
}

# The hub's Python: the very interpreter of the course's .venv, so that its packages behave as they
# do for the grader (Debian's 3.11.2, for one, mis-parses the possessive regexes that formgrader's
# HTML sanitizer compiles). Users' servers run as those users, so an interpreter they cannot reach
# (one under /root) is hard-linked into the hub's folder, its shared library found there.
hub_python() {
  local base
  base=$("$repo/.venv/bin/python" -c 'import sys; print(sys.base_prefix)')
  py_version=$("$repo/.venv/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if runuser -u nobody -- "$base/bin/python$py_version" -c pass 2>/dev/null; then
    python_prefix=$base
    return
  fi
  python_prefix=$state/python
  if [ ! -x "$python_prefix/bin/python$py_version" ]; then
    mkdir -p "$python_prefix"
    for part in bin lib; do
      cp -al "$base/$part" "$python_prefix/" 2>/dev/null || cp -a "$base/$part" "$python_prefix/"
    done
    rm -rf "$python_prefix/lib/python$py_version/site-packages"  # the environment brings its own
  fi
  export LD_LIBRARY_PATH="$python_prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

# The hub's environment: the course's own pinned packages (.venv), hard-linked rather than installed
# again (pip would unpack gigabytes of the same torch wheels for minutes), without the staff
# package, plus the student library installed as a student installs it.
hub_env() {
  local env="$state/env" stamp
  # .venv's own stamp names the hash of what was installed into it.
  stamp="$env/$(cd "$repo/.venv" && ls -d .installed-*)"
  [ -f "$stamp" ] && return
  echo "building the hub's environment in $env..."
  rm -rf "$env"
  "$python_prefix/bin/python$py_version" -m venv --without-pip "$env"
  local site="lib/python$py_version/site-packages"
  for part in "$site" share etc; do
    mkdir -p "$env/$part"
    cp -al "$repo/.venv/$part/." "$env/$part/" 2>/dev/null || cp -a "$repo/.venv/$part/." "$env/$part/"
  done
  rm -rf "$env/$site"/__editable__* "$env/$site"/dlmed-*.dist-info "$env/$site"/dlmed_autograder-*.dist-info
  "$env/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --no-index \
    "$repo/student" >"$state/env-install.log" 2>&1 || fail "installing the student library failed" "see $state/env-install.log"
  runuser -u nobody -- "$env/bin/python" -c "import dlmed, nbgrader, jupyterhub.singleuser" 2>/dev/null ||
    fail "other users cannot use the hub's environment in $env" "delete $env and start again"
  touch "$stamp"
}

start() {
  [ "$(id -u)" = 0 ] || fail "the hub makes Unix users and runs their servers as them: run this as root"
  local course=${1:-$state/course}
  mkdir -p "$state"
  chmod 755 "$state"
  if kill -0 "$(cat "$state/hub.pid" 2>/dev/null || echo none)" 2>/dev/null; then
    fail "a hub is already running from $state" "run \`scripts/hub.sh stop\` first"
  fi
  python3 -c "import socket, sys
for port in range($port, $port + 3):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            sys.exit(1)" || fail "a port of $port-$((port + 2)) is in use" "choose others with HUB_PORT"
  "$repo/scripts/setup.sh"
  if [ -z "${1:-}" ] && [ ! -d "$course" ]; then
    git clone --quiet "$repo" "$course"
    chmod 750 "$course"  # its sources hold the solutions
  fi
  [ -f "$course/course_config.py" ] || fail "$course holds no course_config.py" "give the course folder: scripts/hub.sh start COURSE_DIR"
  course=$(cd "$course" && pwd)
  local found course_id exchange
  found=$("$repo/.venv/bin/python" -c "import sys; from autograder.course.coursedir import Course; from autograder.records.exchange import root
from pathlib import Path; c = Course.load(Path(sys.argv[1])); print(c.nbgrader.course_id, root(c))" "$course" 2>&1) ||
    fail "the course in $course does not load: ${found##*$'\n'}" "run \`.venv/bin/course --course-dir $course validate\` to see why"
  read -r course_id exchange <<<"$found"

  if [ ! -x "$state/proxy/node_modules/.bin/configurable-http-proxy" ]; then
    echo "installing configurable-http-proxy (npm)..."
    npm install --silent --no-audit --no-fund --prefix "$state/proxy" configurable-http-proxy@5.3.0 >/dev/null ||
      fail "npm could not install configurable-http-proxy" "check that npm reaches its registry"
  fi
  hub_python
  hub_env

  for user in "$instructor" $students; do
    id -u "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
  done
  mkdir -p "$exchange"
  chmod 1777 "$exchange"
  # Everyone's nbgrader (the Assignments panel, nbgrader's commands) finds the course's exchange.
  cat >"$state/env/etc/jupyter/nbgrader_config.py" <<EOF
c = get_config()
c.CourseDirectory.course_id = "$course_id"
c.Exchange.root = "$exchange"
EOF
  local home
  home=$(getent passwd "$instructor" | cut -d: -f6)
  mkdir -p "$home/.jupyter"
  printf 'c = get_config()\nc.CourseDirectory.root = "%s"\n' "$course" >"$home/.jupyter/nbgrader_config.py"
  chown -R "$instructor:" "$home/.jupyter"
  # The instructor's formgrader writes manual grades into the gradebook (SQLite keeps its journal
  # beside it): the course folder and the gradebook are the instructor's group's to write.
  "$repo/.venv/bin/course" --course-dir "$course" release --exchange >/dev/null
  chgrp "$instructor" "$course" "$course"/gradebook.db 2>/dev/null || true
  chmod g+rwx "$course"
  [ -f "$course/gradebook.db" ] && chmod g+rw "$course/gradebook.db"
  if [ "$(stat -c %A "$course" | cut -c8)" = r ] || [ "$(stat -c %A "$course" | cut -c10)" = x ]; then
    echo "warning: other users can read $course, so students on this hub can read its sources and solutions;" \
      "run \`chmod o-rwx $course\` unless the grading environment lives inside it" >&2
  fi

  cat >"$state/jupyterhub_config.py" <<EOF
# Written by scripts/hub.sh start; edit the script, not this file.
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = $port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = $((port + 1))
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:$((port + 2))"
c.ConfigurableHTTPProxy.command = ["$state/proxy/node_modules/.bin/configurable-http-proxy"]
c.JupyterHub.db_url = "sqlite:///$state/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "$state/jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "$password"
c.Authenticator.allowed_users = set("$instructor $students".split())
c.Authenticator.admin_users = {"$instructor"}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["$state/env/bin/python", "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": "$state/env/bin:/usr/local/bin:/usr/bin:/bin", "LD_LIBRARY_PATH": "${LD_LIBRARY_PATH:-}"}
# First spawns on a busy 2-core machine take 15-20 s.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

def course_for_the_instructor(spawner):
    # formgrader shows only courses inside the server's root folder.
    if spawner.user.name == "$instructor":
        spawner.notebook_dir = "$course"

c.Spawner.pre_spawn_hook = course_for_the_instructor
EOF
  # A session of its own, holding none of this script's output: it outlives the shell that started it.
  (cd "$state" && exec setsid "$repo/.venv/bin/jupyterhub" -f "$state/jupyterhub_config.py") \
    >"$state/hub.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$state/hub.pid"
  for _ in $(seq 120); do
    if curl -fs "http://127.0.0.1:$port/hub/health" >/dev/null 2>&1; then
      echo "the course $course_id is on http://127.0.0.1:$port/ (users: $instructor $students; password: $password)"
      echo "formgrader: http://127.0.0.1:$port/user/$instructor/formgrader"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true  # a hub half up (its proxy failed) is stopped, not left behind
  rm -f "$state/hub.pid"
  local why
  why=$(sed 's/\x1b\[[0-9;]*m//g' "$state/hub.log" | grep -oE '[A-Za-z]*Error.*' | tail -1)
  case "$why" in
    *EADDRINUSE*) fail "the hub did not start: a port of $port-$((port + 2)) is in use" "choose others with HUB_PORT" ;;
    *) fail "the hub did not start: ${why:-$(tail -1 "$state/hub.log")}" "its log is $state/hub.log" ;;
  esac
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: scripts/hub.sh start [COURSE_DIR] | stop" >&2; exit 2 ;;
esac
