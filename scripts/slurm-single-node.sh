#!/usr/bin/env bash
# A real single-node Slurm on this machine: slurmctld, slurmd, slurmdbd with MariaDB accounting,
# munge, and N GPUs in gres.conf. The tests start it; an admin can start it on a GPU box to try the
# Slurm backend before touching the cluster (on a box without GPUs it makes fake ones).
#
#   scripts/slurm-single-node.sh start   # prints the SLURM_CONF to export
#   scripts/slurm-single-node.sh stop
#
# Everything lives in $COURSE_SLURM_DIR (default /tmp/course-slurm), on its own ports and munge
# socket, so it never touches a Slurm or munge the machine already runs. Needs root and Debian's
# slurmctld slurmd slurm-client slurmdbd munge mariadb-server.
#
# Settings (environment): COURSE_SLURM_GPUS (2), COURSE_SLURM_MAX_ARRAY_SIZE (1001),
# COURSE_SLURM_PORT_BASE (16817: slurmctld, +1 slurmd, +2 slurmdbd, +3 MariaDB).
set -euo pipefail

STATE=${COURSE_SLURM_DIR:-/tmp/course-slurm}
GPUS=${COURSE_SLURM_GPUS:-2}
MAX_ARRAY=${COURSE_SLURM_MAX_ARRAY_SIZE:-1001}
PORT=${COURSE_SLURM_PORT_BASE:-16817}
NODE=$(hostname -s)
SOCKET=$STATE/munge/munge.socket
export SLURM_CONF=$STATE/etc/slurm.conf

say() { echo "slurm-single-node: $*" >&2; }
die() { say "error: $*"; exit 1; }

wait_for() {  # wait_for <seconds> <what> <command...>
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up in ${limit}s; see $STATE/log/"
}

stop() {
  # Jobs first (their slurmstepd outlives slurmd), then the daemons, waiting until each has gone:
  # a slurmd left behind would take the next cluster's jobs for the same node name.
  if [ -f "$SLURM_CONF" ] && scontrol ping >/dev/null 2>&1; then
    scancel --user "$(id -un)" 2>/dev/null || true
    for _ in $(seq 100); do [ -z "$(squeue --noheader 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  local pids=()
  for name in slurmd slurmctld slurmdbd mariadbd munged; do
    [ -f "$STATE/run/$name.pid" ] && pids+=("$(cat "$STATE/run/$name.pid")")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "${pids[@]}" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  rm -f "$STATE"/run/*.pid
}

gpu_devices() {
  # NVIDIA's character major is 195; fake cards are made only where no card is, and never with
  # another device's number (a fake on c 1 3 would be /dev/null).
  for i in $(seq 0 $((GPUS - 1))); do
    [ -e /dev/nvidia$i ] || mknod -m 666 /dev/nvidia$i c 195 "$i"
    [ "$(stat -c %t /dev/nvidia$i)" = c3 ] || die "/dev/nvidia$i exists but is not an NVIDIA device (major 195)"
  done
}

cgroup_settings() {
  # Slurm 22.05 confines jobs (devices, memory) through cgroup v1 controllers; without them jobs run
  # unconfined and the tests say which checks they skip.
  if [ -d /sys/fs/cgroup/devices ] && [ -d /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/devices ]; then
    echo "ProctrackType=proctrack/cgroup"
    echo "TaskPlugin=task/cgroup"
    echo "JobAcctGatherType=jobacct_gather/cgroup"
    printf 'CgroupPlugin=cgroup/v1\nCgroupMountpoint=/sys/fs/cgroup\nConstrainDevices=yes\nConstrainRAMSpace=yes\nConstrainSwapSpace=yes\nAllowedSwapSpace=0\n' \
      >"$STATE/etc/cgroup.conf"
  else
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "JobAcctGatherType=jobacct_gather/linux"
    printf 'CgroupPlugin=cgroup/v1\n' >"$STATE/etc/cgroup.conf"
    say "no writable cgroup v1 devices/memory controllers: jobs are not confined to their GPU or memory"
  fi
}

write_config() {
  local cpus memory_mb
  # nproc reads OMP_NUM_THREADS, which the grader sets to share cores between runs: count the cores.
  cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
  memory_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  cat >"$STATE/etc/slurm.conf" <<EOF
ClusterName=course
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
$(cgroup_settings)
GresTypes=gpu
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$((PORT + 2))
AccountingStoragePass=$SOCKET
AccountingStorageTRES=gres/gpu
MaxArraySize=$MAX_ARRAY
KillWait=5
InactiveLimit=0
ReturnToService=2
SchedulerParameters=sched_interval=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb Gres=gpu:$GPUS State=UNKNOWN
PartitionName=gpu Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  echo "NodeName=$NODE Name=gpu File=/dev/nvidia[0-$((GPUS - 1))]" >"$STATE/etc/gres.conf"
  cat >"$STATE/etc/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$SOCKET
DbdHost=localhost
DbdPort=$((PORT + 2))
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$((PORT + 3))
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
PidFile=$STATE/run/slurmdbd.pid
LogFile=$STATE/log/slurmdbd.log
EOF
  chmod 600 "$STATE/etc/slurmdbd.conf"
}

start() {
  [ "$(id -u)" = 0 ] || die "needs root (the daemons switch users and confine jobs in cgroups)"
  for cmd in munged slurmctld slurmd slurmdbd sbatch mariadbd mariadb-install-db; do
    command -v "$cmd" >/dev/null || die "$cmd is missing; apt-get install slurmctld slurmd slurm-client slurmdbd munge mariadb-server"
  done
  stop
  rm -rf "$STATE"
  mkdir -p "$STATE"/{etc,log,run,munge,spool/ctld,spool/d,mysql}
  gpu_devices
  write_config

  dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$STATE/munge/munge.key"
  munged --force --key-file "$STATE/munge/munge.key" --socket "$SOCKET" --pid-file "$STATE/run/munged.pid" \
    --log-file "$STATE/log/munged.log" --seed-file "$STATE/munge/seed"
  wait_for 10 munge munge --socket "$SOCKET" -n

  mariadb-install-db --datadir="$STATE/mysql" --user=root --auth-root-authentication-method=socket \
    >"$STATE/log/mariadb-install.log" 2>&1
  mariadbd --datadir="$STATE/mysql" --user=root --bind-address=127.0.0.1 --port=$((PORT + 3)) \
    --socket="$STATE/run/mysqld.sock" --pid-file="$STATE/run/mariadbd.pid" \
    --log-error="$STATE/log/mariadb.log" --innodb-buffer-pool-size=64M &
  wait_for 30 MariaDB mariadb --socket="$STATE/run/mysqld.sock" -e "select 1"
  mariadb --socket="$STATE/run/mysqld.sock" -e "create database slurm_acct_db;
    create user 'slurm'@'127.0.0.1' identified by 'slurm';
    grant all on slurm_acct_db.* to 'slurm'@'127.0.0.1';"

  # Started under their own names: Slurm reads argv[0] to know it is a daemon and otherwise
  # silently ignores Gres= (Debian installs them as *-wlm behind alternatives).
  slurmdbd  # reads slurmdbd.conf from SLURM_CONF's folder
  wait_for 30 slurmdbd sacctmgr -n list cluster
  sacctmgr -i add cluster course >/dev/null 2>&1 || true
  bash -c "exec -a slurmctld $(readlink -f "$(command -v slurmctld)")"
  wait_for 30 slurmctld scontrol ping
  bash -c "exec -a slurmd $(readlink -f "$(command -v slurmd)")"
  wait_for 30 "slurmd (node $NODE idle)" bash -c "sinfo -h -n $NODE -o %T | grep -qx idle"
  say "up: $GPUS GPUs on node $NODE; logs in $STATE/log"
  echo "export SLURM_CONF=$SLURM_CONF"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
