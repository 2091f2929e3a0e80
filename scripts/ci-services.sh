# shellcheck shell=bash
# Helpers for .ci/run: make sure a PostgreSQL server and a Redis server answer on 127.0.0.1 and
# export AUTOTRADE_TEST_POSTGRES_URL / AUTOTRADE_TEST_REDIS_URL for the test suite.
#
# If the usual server answers (127.0.0.1:5432, 127.0.0.1:6379) it is used as it is. Otherwise the
# package is installed from apt when missing and a throwaway server is started in a temporary
# directory on a free port; `ci_services_stop` (run it from an EXIT trap) stops it and deletes it.
#
# Overrides (mainly to exercise the throwaway path on a machine that has the servers running):
#   AUTOTRADE_CI_PG_PORT     port probed for an existing PostgreSQL (default 5432)
#   AUTOTRADE_CI_REDIS_PORT  port probed for an existing Redis (default 6379)

CI_SERVICES_TMP=""
CI_PG_DATA=""
CI_PG_BIN=""
CI_REDIS_PIDFILE=""

ci_log() { printf '[ci %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

ci_free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

ci_tmp() {
    if [ -z "$CI_SERVICES_TMP" ]; then
        CI_SERVICES_TMP=$(mktemp -d /tmp/autotrade-ci.XXXXXX)
        chmod 755 "$CI_SERVICES_TMP"
    fi
}

ci_apt_install() {
    ci_log "installing from apt: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@"
}

# Run a command as the postgres OS user (initdb/postgres refuse to run as root).
ci_as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        # from / : the postgres user may not be allowed into the clone's directory
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

ci_pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && printf '%s\n' "$d"
}

ci_ensure_postgres() {
    local probe_port=${AUTOTRADE_CI_PG_PORT:-5432}
    if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$probe_port" -t 3; then
        ci_log "PostgreSQL answers on 127.0.0.1:$probe_port; using it"
        export AUTOTRADE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$probe_port/postgres"
        return 0
    fi
    ci_log "no PostgreSQL on 127.0.0.1:$probe_port; starting a throwaway cluster"
    CI_PG_BIN=$(ci_pg_bindir || true)
    if [ -z "$CI_PG_BIN" ]; then
        ci_apt_install postgresql
        CI_PG_BIN=$(ci_pg_bindir || true)
        [ -n "$CI_PG_BIN" ] || { ci_log "PostgreSQL binaries not found after install"; return 1; }
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    ci_tmp
    local port
    port=$(ci_free_port)
    CI_PG_DATA="$CI_SERVICES_TMP/pgdata"
    mkdir -p "$CI_PG_DATA" "$CI_SERVICES_TMP/pgsock"
    [ "$(id -u)" = 0 ] && chown postgres "$CI_PG_DATA" "$CI_SERVICES_TMP/pgsock"
    ci_log "initdb ($CI_PG_BIN) in $CI_PG_DATA"
    ci_as_postgres "$CI_PG_BIN/initdb" -D "$CI_PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$CI_SERVICES_TMP/initdb.log" 2>&1 || { cat "$CI_SERVICES_TMP/initdb.log"; return 1; }
    ci_log "starting PostgreSQL on 127.0.0.1:$port"
    ci_as_postgres "$CI_PG_BIN/pg_ctl" -D "$CI_PG_DATA" -l "$CI_PG_DATA/server.log" -w -t 60 \
        -o "-p $port -k $CI_SERVICES_TMP/pgsock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || { cat "$CI_PG_DATA/server.log"; return 1; }
    local i
    for i in $(seq 1 30); do
        "$CI_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 && break
        sleep 1
    done
    "$CI_PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -t 2 || { cat "$CI_PG_DATA/server.log"; return 1; }
    export AUTOTRADE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

# Answer PING with PONG? Pure bash, so no redis-cli is needed.
ci_redis_ping() {
    local port=$1 line=""
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        printf 'PING\r\n' >&3
        IFS= read -r -t 3 line <&3 || exit 1
        [ "${line%$'\r'}" = "+PONG" ]
    ) 2>/dev/null
}

ci_ensure_redis() {
    local probe_port=${AUTOTRADE_CI_REDIS_PORT:-6379}
    if ci_redis_ping "$probe_port"; then
        ci_log "Redis answers on 127.0.0.1:$probe_port; using it"
        export AUTOTRADE_TEST_REDIS_URL="redis://127.0.0.1:$probe_port/15"
        return 0
    fi
    ci_log "no Redis on 127.0.0.1:$probe_port; starting a throwaway server"
    command -v redis-server >/dev/null 2>&1 || ci_apt_install redis-server
    ci_tmp
    local port i
    port=$(ci_free_port)
    CI_REDIS_PIDFILE="$CI_SERVICES_TMP/redis.pid"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$CI_SERVICES_TMP" --pidfile "$CI_REDIS_PIDFILE" --logfile "$CI_SERVICES_TMP/redis.log"
    for i in $(seq 1 30); do
        ci_redis_ping "$port" && break
        sleep 0.5
    done
    ci_redis_ping "$port" || { cat "$CI_SERVICES_TMP/redis.log"; return 1; }
    ci_log "Redis started on 127.0.0.1:$port"
    export AUTOTRADE_TEST_REDIS_URL="redis://127.0.0.1:$port/15"
}

ci_services_stop() {
    if [ -n "$CI_REDIS_PIDFILE" ] && [ -s "$CI_REDIS_PIDFILE" ]; then
        ci_log "stopping throwaway Redis"
        kill "$(cat "$CI_REDIS_PIDFILE")" 2>/dev/null || true
    fi
    if [ -n "$CI_PG_DATA" ] && [ -f "$CI_PG_DATA/postmaster.pid" ]; then
        ci_log "stopping throwaway PostgreSQL"
        ci_as_postgres "$CI_PG_BIN/pg_ctl" -D "$CI_PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [ -n "$CI_SERVICES_TMP" ]; then
        rm -rf "$CI_SERVICES_TMP"
    fi
}
