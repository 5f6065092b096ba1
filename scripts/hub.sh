#!/usr/bin/env bash
# The course on a JupyterHub on this machine (an optional recipe for admins; run as root):
#   scripts/hub.sh start [COURSE_DIR]   bring it up and print the URL (COURSE_DIR: the course the
#                                       instructor grades in; default a clone of this repository)
#   scripts/hub.sh stop                 stop the hub, its proxy and every user's server
# The hub is deploy/hub/jupyterhub_config.py; its settings (HUB_STATE, HUB_PORT, HUB_EXCHANGE, HUB_AUTH, ...) are
# environment variables, listed in autograder/hub/settings.py; the course's side is `course hub
# check|setup|publish`. This script does what needs root's tools: the Unix users (one it makes gets a
# generated password, in $HUB_STATE/hub/passwords, root only), the proxy, the environments, the hub's process.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export HUB_STATE=$(realpath -m "${HUB_STATE:-/srv/adlm-hub}")  # the hub reads it from its own folder
state=$HUB_STATE
private=$state/hub
fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; exit 1; }
course_hub() { "$repo/.venv/bin/course" --course-dir "$HUB_COURSE" hub "$@"; }

stop() {
  local pid
  pid=$(cat "$private/hub.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then  # on SIGTERM it stops the users' servers and its proxy
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "stopped the hub"
  else
    echo "no hub is running from $state"
  fi
  rm -f "$private/hub.pid"
  # A hub killed (or that crashed) before it stopped them leaves its proxy, its ngshare service and users'
  # servers behind, holding the ports and the exchange's database: each runs a program under $state.
  local left=("$state/proxy/" "$private/ngshare/env/" "$state/env/bin/python")
  local pattern
  for pattern in "${left[@]}"; do pkill -TERM -f -- "$pattern" 2>/dev/null || true; done
  sleep 1
  for pattern in "${left[@]}"; do pkill -KILL -f -- "$pattern" 2>/dev/null || true; done
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
  # .venv's own stamp names the hash of what was installed into it; the student library's own files
  # count too (a new module of it, such as the exchange's classes, must reach the students' servers).
  stamp="$env/$(cd "$repo/.venv" && ls -d .installed-*)-dlmed-$(cd "$repo/student" &&
    find . -name '*.py' -o -name pyproject.toml | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
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
# generated password kept in a file only root reads (printing it would leave it in logs). With LTI
# logins (HUB_AUTH=lti13) only the instructor, whose group owns the course, and with no password: the
# hub makes each LMS user as they first launch, and nobody logs in with a password.
users() {
  local user password students=${HUB_STUDENTS:-student1 student2}
  [ "${HUB_AUTH:-pam}" != lti13 ] || students=""
  (umask 077 && touch "$private/passwords")
  for user in ${HUB_INSTRUCTOR:-instructor} $students; do
    if ! id -u "$user" >/dev/null 2>&1; then
      useradd -m -s /bin/bash "$user"
      [ -n "$students" ] || continue
      password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
      echo "$user:$password" | chpasswd
      sed -i "/^$user /d" "$private/passwords"
      echo "$user $password" >>"$private/passwords"
    fi
    chmod 700 "$(getent passwd "$user" | cut -d: -f6)"
  done
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

start() {
  [ "$(id -u)" = 0 ] || fail "the hub makes Unix users and runs their servers as them: run this as root"
  export HUB_COURSE=${1:-$state/course}
  "$repo/scripts/setup.sh"
  # The default course, a clone of this checkout, is the staff's alone: its sources hold the solutions.
  [ -n "${1:-}" ] || [ -d "$HUB_COURSE" ] || { git clone --quiet "$repo" "$HUB_COURSE" && chmod 750 "$HUB_COURSE"; }
  [ -f "$HUB_COURSE/course_config.py" ] || fail "$HUB_COURSE holds no course_config.py" "give the course folder: scripts/hub.sh start COURSE_DIR"
  HUB_COURSE=$(cd "$HUB_COURSE" && pwd)
  mkdir -p "$private" && chmod 700 "$private"
  chmod 755 "$state"  # the users' servers run the environment and interpreter kept here
  users
  course_hub check >&2 || exit 1
  [ -x "$state/proxy/node_modules/.bin/configurable-http-proxy" ] ||
    npm install --silent --no-audit --no-fund --prefix "$state/proxy" configurable-http-proxy@5.3.0 >/dev/null ||
    fail "npm could not install configurable-http-proxy" "check that npm reaches its registry"
  chmod 700 "$state/proxy"  # run by the hub, as root
  hub_python
  hub_env
  [ "${HUB_EXCHANGE:-folder}" != ngshare ] || ngshare_env
  course_hub setup >&2 || exit 1
  # A session of its own, holding none of this script's output: it outlives the shell that started it.
  (cd "$private" && exec setsid "$repo/.venv/bin/jupyterhub" -f "$repo/deploy/hub/jupyterhub_config.py") \
    >"$private/hub.log" 2>&1 </dev/null &
  echo $! >"$private/hub.pid"
  # A hub half up (its proxy failed, the exchange refused the course) is stopped, not left behind.
  course_hub publish || { stop >/dev/null; exit 1; }
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: scripts/hub.sh start [COURSE_DIR] | stop" >&2; exit 2 ;;
esac
