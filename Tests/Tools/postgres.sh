#!/bin/sh
# A throw-away PostgreSQL server for the tests, on 127.0.0.1: Debian's postgresql package (installed
# when missing, as root), a new cluster in a folder of its own, a `gatehouse` role with a password
# and a `gatehouse` database. Prints the URL to test against (its password in the URL: a test
# server's); the tests read it from GATEHOUSE_TEST_POSTGRES.
#
#   url="$(sh Tests/Tools/postgres.sh start [FOLDER] [PORT])"
#   sh Tests/Tools/postgres.sh stop [FOLDER]
set -eu
command="${1:-start}"
folder="${2:-/tmp/gatehouse-postgres}"
port="${3:-55432}"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
# PostgreSQL refuses to run as root: as root, the server runs as the package's postgres user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
stop)
    [ -d "$folder/data" ] && as_owner "$bin/pg_ctl" -D "$folder/data" -m fast stop >&2 || true
    rm -rf "$folder"
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop [FOLDER] [PORT]" >&2
    exit 2
    ;;
esac

if [ -d "$folder/data" ]; then
    as_owner "$bin/pg_ctl" -D "$folder/data" -m fast stop >&2 2>/dev/null || true
    rm -rf "$folder"
fi
mkdir -p "$folder"
[ "$(id -u)" = 0 ] && chown postgres "$folder"
password="gatehouse-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" > "$folder/superuser-password"
[ "$(id -u)" = 0 ] && chown postgres "$folder/superuser-password"
as_owner "$bin/initdb" -D "$folder/data" -U postgres -A scram-sha-256 --pwfile="$folder/superuser-password" -E UTF8 --no-sync >&2
# Durable as in production (fsync on), but sized for a test machine.
as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$folder -c max_connections=200 -c shared_buffers=128MB" \
    start >&2
PGPASSWORD="$(cat "$folder/superuser-password")" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >&2 <<SQL
CREATE ROLE gatehouse LOGIN PASSWORD '$password';
CREATE DATABASE gatehouse OWNER gatehouse;
SQL
echo "postgres://gatehouse:$password@127.0.0.1:$port/gatehouse?sslmode=disable"
