# A PostgreSQL server of the tests' own: sourced by the .test wrappers.
#   pg_start: initdb into a temporary directory as an unprivileged user (one
#             is created when the tests run as root), then postgres on a Unix
#             socket only (listen_addresses=''); sets IOTREG_TEST_PG_CONNINFO
#             (exported), PG_DIR and PG_SOCKET. Returns 77 where PostgreSQL
#             truly cannot start (no server installed), saying so loudly.
#   pg_stop:  stops it and removes the directory (pg_start traps EXIT, unless
#             PG_TRAP=no: the caller then calls pg_stop from its own trap).
# Authentication: the role iotreg_pw must give its password
# (scram-sha-256); every other role is trusted on the socket.
PG_TEST_USER=iotreg-pgtest

pg_bindir() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

pg_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_TEST_USER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    PG_BIN=$(pg_bindir) || {
        echo "SKIP: *** PostgreSQL is not installed (no initdb): the PostgreSQL journal tests" \
            "did NOT run; install postgresql-15 (scripts/deps.sh) ***" >&2
        return 77
    }
    if [ "$(id -u)" = 0 ] && ! id "$PG_TEST_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$PG_TEST_USER" || { echo "FAIL: cannot create the user $PG_TEST_USER" >&2; return 1; }
    fi
    PG_DIR=$(mktemp -d /tmp/iotreg-pg-XXXXXX) || return 1
    [ "${PG_TRAP:-yes}" = no ] || trap pg_stop EXIT
    chmod 755 "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown "$PG_TEST_USER" "$PG_DIR"
    PG_SOCKET=$PG_DIR
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync \
        >"$PG_DIR/initdb.log" 2>&1; then
        echo "FAIL: initdb failed:" >&2
        cat "$PG_DIR/initdb.log" >&2
        return 1
    fi
    printf 'local all iotreg_pw scram-sha-256\nlocal all all trust\n' |
        pg_as tee "$PG_DIR/data/pg_hba.conf" >/dev/null
    if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCKET' -c fsync=on -c synchronous_commit=on -c max_connections=200" \
        start >/dev/null; then
        echo "FAIL: the PostgreSQL server did not start:" >&2
        cat "$PG_DIR/server.log" >&2
        return 1
    fi
    IOTREG_TEST_PG_CONNINFO="host=$PG_SOCKET user=postgres dbname=postgres"
    PG_PSQL="$PG_BIN/psql"
    export IOTREG_TEST_PG_CONNINFO
    echo "PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $NF}') on $PG_SOCKET"
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
    PG_DIR=
}
