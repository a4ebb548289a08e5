#!/usr/bin/env bash
# Brings up the real components the tests need, reusing what already runs:
# PostgreSQL (private cluster on 127.0.0.1:55432), Redis (127.0.0.1:56379, 64 databases),
# Debian's Chromium, and what the sshd test nodes need (OpenSSH server and client, tmux, git,
# sudo, iproute2, /run/sshd and the login users sbx-sudo and sbx-nosudo; the nodes themselves
# are started per test by core/test/helpers/sshd.mjs). Installs what is missing when run as root.
# Source it (". scripts/test-env.sh") to get TEST_PG_URL, TEST_REDIS_URL and CHROMIUM_PATH.
set -euo pipefail

SB_TEST_DIR="${SB_TEST_DIR:-/tmp/serverbox-test-env}"
PG_PORT="${SB_TEST_PG_PORT:-55432}"
REDIS_PORT="${SB_TEST_REDIS_PORT:-56379}"
mkdir -p "$SB_TEST_DIR"
# Several test runs may start at once: one brings the components up, the others wait.
exec 9>"$SB_TEST_DIR/lock"
flock 9

apt_updated=0
need_pkg() { # need_pkg <command-or-path> <debian-package>
  if command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "test-env: $1 is missing; install the Debian package $2" >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    echo "test-env: apt-get update" >&2
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  echo "test-env: installing $2" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

# PostgreSQL: server binaries may be on PATH or only under /usr/lib/postgresql/<v>/bin.
pg_bin=""
for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/pg_isready" ]; then pg_bin="$d"; break; fi
done
if [ -z "$pg_bin" ]; then
  need_pkg /usr/lib/postgresql/15/bin/initdb postgresql
  pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | head -n1)")
fi
need_pkg redis-server redis-server
need_pkg chromium chromium
need_pkg /usr/sbin/sshd openssh-server
need_pkg ssh openssh-client
need_pkg scp openssh-client
need_pkg tmux tmux
need_pkg git git
need_pkg sudo sudo
need_pkg ip iproute2
# The systemd test node (core/test/helpers/systemd-node.mjs): a container running systemd as
# PID 1, its image built from Debian packages by debootstrap (no registry is reachable).
need_pkg debootstrap debootstrap
need_pkg dockerd docker.io

# Test nodes log in as root, as a user with passwordless sudo and as one without sudo.
if [ "$(id -u)" = 0 ]; then
  mkdir -p /run/sshd # sshd's privilege-separation directory; systemd would create it
  for u in sbx-sudo sbx-nosudo; do
    id -u "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$u"
    # useradd leaves the password locked ('!'), and sshd without PAM then refuses even key
    # logins; '*' means "no password" without the lock.
    [ "$(getent shadow "$u" | cut -d: -f2)" = '*' ] || usermod -p '*' "$u"
  done
  sudoers_line='sbx-sudo ALL=(ALL:ALL) NOPASSWD: ALL'
  if [ "$(cat /etc/sudoers.d/sbx-sudo 2>/dev/null)" != "$sudoers_line" ]; then
    sudoers_tmp=$(mktemp)
    echo "$sudoers_line" >"$sudoers_tmp"
    visudo -cqf "$sudoers_tmp" # a broken file in /etc/sudoers.d would break sudo for everyone
    install -m 0440 -o root -g root "$sudoers_tmp" /etc/sudoers.d/sbx-sudo
    rm -f "$sudoers_tmp"
  fi
else
  echo "test-env: not root: the sshd test nodes need root (users sbx-sudo, sbx-nosudo; network namespaces)" >&2
fi

pg_dir="$SB_TEST_DIR/pg"
if ! "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  install -d -o postgres "$pg_dir"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    su postgres -s /bin/sh -c "$pg_bin/initdb -D $pg_dir/data -A trust -U postgres" >/dev/null
  fi
  su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $pg_dir/data -w -l $pg_dir/log \
    -o '-p $PG_PORT -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start" >/dev/null
fi

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --databases 64 --save '' --appendonly no \
    --maxmemory-policy noeviction --daemonize yes --dir "$SB_TEST_DIR" --logfile "$SB_TEST_DIR/redis.log" \
    --pidfile "$SB_TEST_DIR/redis.pid"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# dockerd, started by hand (no systemd here). setsid and `9>&-`: it must outlive this shell and
# must not inherit the lock, or every later run would wait for it forever.
if [ "$(id -u)" = 0 ] && ! docker info >/dev/null 2>&1; then
  setsid dockerd >"$SB_TEST_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
  for _ in $(seq 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { echo "test-env: dockerd did not start; see $SB_TEST_DIR/dockerd.log" >&2; exit 1; }
fi

export TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
flock -u 9
exec 9>&-
echo "test-env: PostgreSQL $TEST_PG_URL, Redis $TEST_REDIS_URL, Chromium $CHROMIUM_PATH" >&2
