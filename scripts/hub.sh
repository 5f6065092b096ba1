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
# feedback <id> --release`, or `course watch <id> --exchange`, run as root with --course-dir COURSE_DIR
# (on the ngshare exchange also `course enroll STUDENT...`: the service knows only its roster).
#
# Who sees what: every user's home is theirs alone (700); the hub's own files (its database, cookie
# secret, config, log and the generated passwords) lie in $HUB_STATE/hub, root's alone (700, files
# 600); the staff checkout this script runs from and the course folder must be out of students'
# reach, which the script checks as each student and refuses to start otherwise, saying what to
# close. Students' servers run $HUB_STATE/env, which holds the student library and no staff code.
#
# Settings, from the environment:
#   HUB_STATE       where the hub keeps its files (default /srv/adlm-hub)
#   HUB_PORT        the hub's port on 127.0.0.1 (default 8000; it also uses the next two)
#   HUB_STUDENTS    the students' Unix users, made when missing (default "student1 student2")
#   HUB_INSTRUCTOR  the instructor's Unix user (default instructor)
#   HUB_AUTH_CONFIG a file of JupyterHub settings for the institution's login (OAuthenticator,
#                   LTI 1.3 via ltiauthenticator), loaded after this script's own; without it users
#                   log in with their Unix password (PAM). A user the script makes gets a generated
#                   password, written to $HUB_STATE/hub/passwords (root only); others keep theirs.
#   HUB_DEMO_LOGIN  1: JupyterHub's dummy login instead, everyone with the one password
#                   HUB_PASSWORD (default adlm-course), for a demo on a machine nobody else reaches
#   HUB_EXCHANGE    folder (default): nbgrader's exchange folder c.Exchange.root, which the hub, every
#                   user's server and the staff must see; ngshare: the exchange as a hub service
#                   (ngshare, port HUB_PORT+3, its database in $HUB_STATE/hub/ngshare), reached over
#                   HTTP, no shared folder, each student's own exam paper possible. The course's
#                   course_config.py must then name it (the script says how) and the staff's
#                   token, which the script writes to $HUB_STATE/hub/staff-token (root only)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=${HUB_STATE:-/srv/adlm-hub}
port=${HUB_PORT:-8000}
students=${HUB_STUDENTS:-student1 student2}
instructor=${HUB_INSTRUCTOR:-instructor}
private=$state/hub
demo_login=${HUB_DEMO_LOGIN:-}
auth_config=${HUB_AUTH_CONFIG:-}
exchange_mode=${HUB_EXCHANGE:-folder}
service_url=http://127.0.0.1:$port/services/ngshare
fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; exit 1; }

stop() {
  local pid
  pid=$(cat "$private/hub.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # On SIGTERM the hub stops the users' servers and its proxy itself.
    kill "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "stopped the hub"
  else
    echo "no hub is running from $state"
  fi
  rm -f "$private/hub.pid"
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
  [ -f "$stamp" ] && [ -x "$env/bin/nbgrader" ] && return
  echo "building the hub's environment in $env..."
  rm -rf "$env"
  "$python_prefix/bin/python$py_version" -m venv --without-pip "$env"
  local site="lib/python$py_version/site-packages"
  for part in "$site" share etc; do
    mkdir -p "$env/$part"
    cp -al "$repo/.venv/$part/." "$env/$part/" 2>/dev/null || cp -a "$repo/.venv/$part/." "$env/$part/"
  done
  rm -rf "$env/$site"/__editable__* "$env/$site"/dlmed-*.dist-info "$env/$site"/dlmed_autograder-*.dist-info
  # The commands students run (nbgrader, jupyter, ...): .venv's console scripts, whose first line names
  # .venv's interpreter, pointed at this environment's; the staff's own (`course`) stay out.
  local script
  for script in "$repo/.venv/bin"/*; do
    [ -f "$script" ] && [ ! -L "$script" ] && head -1 "$script" | grep -qFx "#!$repo/.venv/bin/python" || continue
    grep -q '^from autograder[. ]' "$script" && continue
    sed "1s|.*|#!$env/bin/python|" "$script" >"$env/bin/${script##*/}"
    chmod 755 "$env/bin/${script##*/}"
  done
  # JupyterLab's terminals run a login shell, whose /etc/profile sets PATH afresh without this
  # environment; a plain interactive shell keeps the PATH the spawner gives the server.
  mkdir -p "$env/etc/jupyter/jupyter_server_config.d"
  echo '{"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}}' \
    >"$env/etc/jupyter/jupyter_server_config.d/adlm-terminals.json"
  "$env/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --no-index \
    "$repo/student" >"$private/env-install.log" 2>&1 || fail "installing the student library failed" "see $private/env-install.log"
  runuser -u nobody -- "$env/bin/python" -c "import dlmed, nbgrader, jupyterhub.singleuser" 2>/dev/null ||
    fail "other users cannot use the hub's environment in $env" "delete $env and start again"
  touch "$stamp"
}

# The hub's users: made when missing, each with a home only they can enter and, when made here, a
# generated password kept in a file only root reads (printing it would leave it in logs).
users() {
  local user password
  (umask 077 && touch "$private/passwords")
  for user in "$instructor" $students; do
    if ! id -u "$user" >/dev/null 2>&1; then
      useradd -m -s /bin/bash "$user"
      password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
      echo "$user:$password" | chpasswd
      sed -i "/^$user /d" "$private/passwords"
      echo "$user $password" >>"$private/passwords"
    fi
    chmod 700 "$(getent passwd "$user" | cut -d: -f6)"
  done
}

# JupyterHub's login: PAM against the Unix users unless the demo login or an institution's is asked for.
login_config() {
  if [ "$demo_login" = 1 ]; then
    printf 'c.JupyterHub.authenticator_class = "dummy"\nc.DummyAuthenticator.password = "%s"\n' "${HUB_PASSWORD:-adlm-course}"
  elif [ -z "$auth_config" ]; then
    printf 'c.JupyterHub.authenticator_class = "pam"\n'
  fi
}

# ngshare's own environment: it needs SQLAlchemy 1.4 (see scripts/ngshare-constraints.txt).
ngshare_env() {
  local env="$private/ngshare/env" stamp
  stamp="$env/.installed-$(sha256sum "$repo/scripts/ngshare-constraints.txt" | cut -c1-16)"
  [ -f "$stamp" ] && return
  echo "building ngshare's environment in $env..."
  rm -rf "$env"
  mkdir -p "$private/ngshare"
  "$repo/.venv/bin/uv" venv --quiet --python "$repo/.venv/bin/python" "$env" &&
    "$repo/.venv/bin/uv" pip install --quiet --python "$env/bin/python" -r "$repo/scripts/ngshare-constraints.txt" \
      >"$private/ngshare/install.log" 2>&1 || fail "installing ngshare failed" "see $private/ngshare/install.log"
  touch "$stamp"
}

# The ngshare exchange as a service the hub runs (and restarts should it die), as root, its database
# and files in the hub's private folder; the staff's commands use the course-staff service's token,
# which ngshare takes as an admin's. deploy/ngshare_service.py starts ngshare on 127.0.0.1 only, with
# the course's size limits for a submission, and answers a missing or unknown token with 401/403.
exchange_service() {
  [ "$exchange_mode" = ngshare ] || return 0
  cat <<EOF
c.JupyterHub.services = [
    {"name": "ngshare", "url": "http://127.0.0.1:$((port + 3))",
     "command": ["$private/ngshare/env/bin/python", "$repo/deploy/ngshare_service.py",
                 "--max-file-mb", "$max_file_mb", "--max-submission-mb", "$max_submission_mb",
                 "--admins", "course-staff",
                 "--database", "sqlite:///$private/ngshare/ngshare.db", "--storage", "$private/ngshare/files/"]},
    {"name": "course-staff", "api_token": open("$private/staff-token").read().strip()},
]
EOF
}

# Refuses to start while any student can list, enter or read `path`: checked as each student, so
# every folder above it, groups and ACLs count as they do for them.
out_of_reach() {
  local path=$1 what=$2 user
  for user in $students; do
    if runuser -u "$user" -- test -r "$path" || { [ -d "$path" ] && runuser -u "$user" -- test -x "$path"; }; then
      fail "$user can reach $path ($what)" \
        "close it to students, e.g. \`chmod o-rwx $path\` (or a folder above it), then start again"
    fi
  done
}

start() {
  [ "$(id -u)" = 0 ] || fail "the hub makes Unix users and runs their servers as them: run this as root"
  local course=${1:-$state/course}
  if [ -n "${HUB_PASSWORD:-}" ] && [ "$demo_login" != 1 ]; then
    fail "HUB_PASSWORD is the demo login's one password for everyone" \
      "set HUB_DEMO_LOGIN=1 to use it, or leave it out: users then log in with their own passwords"
  fi
  case "$exchange_mode" in folder | ngshare) ;; *) fail "HUB_EXCHANGE is $exchange_mode" "use folder (the default) or ngshare" ;; esac
  [ -z "$auth_config" ] || [ -f "$auth_config" ] || fail "HUB_AUTH_CONFIG names $auth_config, which is not a file" \
    "give the file of JupyterHub settings for your institution's login (see the README's hub section)"
  mkdir -p "$state" "$private"
  chmod 755 "$state"  # the users' servers run the environment and interpreter kept here
  chmod 700 "$private"
  if kill -0 "$(cat "$private/hub.pid" 2>/dev/null || echo none)" 2>/dev/null; then
    fail "a hub is already running from $state" "run \`scripts/hub.sh stop\` first"
  fi
  python3 -c "import socket, sys
for port in range($port, $port + 4):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            sys.exit(1)" || fail "a port of $port-$((port + 3)) is in use" "choose others with HUB_PORT"
  "$repo/scripts/setup.sh"
  if [ -z "${1:-}" ] && [ ! -d "$course" ]; then
    git clone --quiet "$repo" "$course"
    chmod 750 "$course"  # its sources hold the solutions
  fi
  [ -f "$course/course_config.py" ] || fail "$course holds no course_config.py" "give the course folder: scripts/hub.sh start COURSE_DIR"
  course=$(cd "$course" && pwd)
  local found course_id exchange gradebook course_service course_token max_file_mb max_submission_mb
  found=$("$repo/.venv/bin/python" -c "import sys; from autograder.course.coursedir import Course; from autograder.records.exchange import root
from pathlib import Path; c = Course.load(Path(sys.argv[1])); s = c.exchange_service
print(c.nbgrader.course_id, root(c), c.sqlite_gradebook() or '-', s.url or '-', s.token_file or '-', s.max_file_mb, s.max_submission_mb)" "$course" 2>&1) ||
    fail "the course in $course does not load: ${found##*$'\n'}" "run \`.venv/bin/course --course-dir $course validate\` to see why"
  read -r course_id exchange gradebook course_service course_token max_file_mb max_submission_mb <<<"$found"
  [ "$gradebook" != - ] || gradebook=
  if [ "$exchange_mode" = ngshare ] && { [ "$course_service" != "$service_url" ] || [ "$course_token" != "$private/staff-token" ]; }; then
    fail "the course's staff commands would not reach this hub's ngshare exchange" \
      "put these lines in $course/course_config.py: c.ExchangeService.url = \"$service_url\"; c.ExchangeService.token_file = \"$private/staff-token\"; c.ExchangeService.instructors = [\"$instructor\"]"
  elif [ "$exchange_mode" = folder ] && [ "$course_service" != - ]; then
    fail "the course's course_config.py sets c.ExchangeService.url (the ngshare exchange)" "start with HUB_EXCHANGE=ngshare, or drop that line"
  fi
  users
  out_of_reach "$repo" "the staff checkout this script runs from: its sources hold the hidden tests and the solutions"
  out_of_reach "$course" "the course folder: its sources, solutions, every submission and the gradebook"
  out_of_reach "$private" "the hub's own files: its database, cookie secret and the users' passwords"

  if [ ! -x "$state/proxy/node_modules/.bin/configurable-http-proxy" ]; then
    echo "installing configurable-http-proxy (npm)..."
    npm install --silent --no-audit --no-fund --prefix "$state/proxy" configurable-http-proxy@5.3.0 >/dev/null ||
      fail "npm could not install configurable-http-proxy" "check that npm reaches its registry"
  fi
  chmod 700 "$state/proxy"  # run by the hub, as root
  hub_python
  hub_env

  # Everyone's nbgrader (the Assignments panel, nbgrader's commands) finds the course's exchange.
  if [ "$exchange_mode" = ngshare ]; then
    cp "$repo/deploy/student_nbgrader_config.py" "$state/env/etc/jupyter/nbgrader_config.py"
    [ -s "$private/staff-token" ] || (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '+/=' >"$private/staff-token")
    ngshare_env
  else
    mkdir -p "$exchange"
    chmod 1777 "$exchange"
    printf 'c = get_config()\nc.CourseDirectory.course_id = "%s"\nc.Exchange.root = "%s"\n' "$course_id" "$exchange" \
      >"$state/env/etc/jupyter/nbgrader_config.py"
  fi
  local home
  home=$(getent passwd "$instructor" | cut -d: -f6)
  mkdir -p "$home/.jupyter"
  printf 'c = get_config()\nc.CourseDirectory.root = "%s"\n' "$course" >"$home/.jupyter/nbgrader_config.py"
  chown -R "$instructor:" "$home/.jupyter"
  # The instructor's formgrader writes manual grades into the gradebook (SQLite keeps its journal
  # beside it): the course folder and the gradebook are the instructor's group's to write.
  # (It makes the gradebook; on the ngshare exchange, publishing waits until the hub serves it.)
  if [ "$exchange_mode" = ngshare ]; then
    "$repo/.venv/bin/course" --course-dir "$course" release >/dev/null
  else
    "$repo/.venv/bin/course" --course-dir "$course" release --exchange >/dev/null
  fi
  chgrp "$instructor" "$course" "$course"/gradebook.db 2>/dev/null || true
  chmod g+rwx "$course"
  [ -f "$course/gradebook.db" ] && chmod g+rw "$course/gradebook.db"
  [ -z "$gradebook" ] || out_of_reach "$gradebook" "the course's gradebook"

  # Made 600 before the hub opens it: SQLite gives its journal the database's mode.
  [ -f "$private/jupyterhub.sqlite" ] || install -m 600 /dev/null "$private/jupyterhub.sqlite"
  cat >"$private/jupyterhub_config.py" <<EOF
# Written by scripts/hub.sh start; edit the script, not this file.
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = $port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = $((port + 1))
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:$((port + 2))"
c.ConfigurableHTTPProxy.command = ["$state/proxy/node_modules/.bin/configurable-http-proxy"]
c.JupyterHub.db_url = "sqlite:///$private/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "$private/jupyterhub_cookie_secret"
$(login_config)
c.Authenticator.allowed_users = set("$instructor $students".split())
c.Authenticator.admin_users = {"$instructor"}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["$state/env/bin/python", "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": "$state/env/bin:/usr/local/bin:/usr/bin:/bin", "LD_LIBRARY_PATH": "${LD_LIBRARY_PATH:-}",
                         "ADLM_NGSHARE_URL": "$service_url"}
# First spawns on a busy 2-core machine take 15-20 s.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

def course_for_the_instructor(spawner):
    # formgrader shows only courses inside the server's root folder.
    if spawner.user.name == "$instructor":
        spawner.notebook_dir = "$course"

c.Spawner.pre_spawn_hook = course_for_the_instructor
$(exchange_service)
$([ -z "$auth_config" ] || printf 'load_subconfig("%s")  # the institution'"'"'s login (HUB_AUTH_CONFIG)' "$auth_config")
EOF
  chmod 600 "$private/jupyterhub_config.py"
  # A session of its own, holding none of this script's output: it outlives the shell that started it.
  (cd "$private" && exec setsid "$repo/.venv/bin/jupyterhub" -f "$private/jupyterhub_config.py") \
    >"$private/hub.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$private/hub.pid"
  for _ in $(seq 120); do
    if curl -fs "http://127.0.0.1:$port/hub/health" >/dev/null 2>&1; then
      if [ "$exchange_mode" = ngshare ]; then
        # Staff commands reach the service through the hub, as everyone's do; it knows only its roster.
        local said
        if ! said=$({ "$repo/.venv/bin/course" --course-dir "$course" enroll $students &&
                      "$repo/.venv/bin/course" --course-dir "$course" release --exchange; } 2>&1); then
          stop >/dev/null
          fail "the course could not be set up on the ngshare exchange: $(echo "$said" | grep -m1 'error:' | sed 's/^error: //')" \
            "the hub's log is $private/hub.log"
        fi
        echo "the exchange: ngshare at $service_url (staff token in $private/staff-token, root only)"
      fi
      echo "the course $course_id is on http://127.0.0.1:$port/ (users: $instructor $students)"
      if [ "$demo_login" = 1 ]; then
        echo "demo login: every user's password is ${HUB_PASSWORD:-adlm-course}"
      elif [ -z "$auth_config" ]; then
        echo "logins: each user's Unix password; those the script made are in $private/passwords (root only)"
      fi
      echo "formgrader: http://127.0.0.1:$port/user/$instructor/formgrader"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true  # a hub half up (its proxy failed) is stopped, not left behind
  rm -f "$private/hub.pid"
  local why
  why=$(sed 's/\x1b\[[0-9;]*m//g' "$private/hub.log" | grep -oE '[A-Za-z]*Error.*' | tail -1)
  case "$why" in
    *EADDRINUSE*) fail "the hub did not start: a port of $port-$((port + 2)) is in use" "choose others with HUB_PORT" ;;
    *) fail "the hub did not start: ${why:-$(tail -1 "$private/hub.log")}" "its log is $private/hub.log" ;;
  esac
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: scripts/hub.sh start [COURSE_DIR] | stop" >&2; exit 2 ;;
esac
