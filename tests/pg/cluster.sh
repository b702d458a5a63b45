# shellcheck shell=bash
# A throwaway PostgreSQL server for the extension's tests and benchmark
# (sourced by tests/pg/run.sh and bench/pg-run). pg_cluster_start makes a
# temporary folder holding a private copy of the server's tree (postgres,
# initdb and pg_ctl copied; the rest of lib/ and share/ linked) with
# osteotrack.so and its SQL added, so that the server finds the extension
# without a file written to the system's directories: PostgreSQL finds its
# share and lib directories relative to its own binary. The server runs as an
# unprivileged user (the caller, or `nobody` when the caller is root), on a
# Unix socket in that folder only (no TCP), and pg_cluster_stop (a trap on
# EXIT) stops it and removes the folder.
#   pg_cluster_start PG_BINDIR MODULE_SO EXT_SQL_DIR DATA_DIR
# sets PGT (the folder), PGHOST, PGPORT, PGUSER (a superuser "ot"),
# PGDATABASE=postgres; $PGT/work is writable and readable by the server.

pg_cluster_stop() {
  local pid
  if [ -n "${PGT:-}" ] && [ -f "$PGT/db/postmaster.pid" ]; then
    pid=$(head -n 1 "$PGT/db/postmaster.pid")
    pg_as "$PGT/usr/lib/postgresql/15/bin/pg_ctl" -D "$PGT/db" -m fast -w stop >/dev/null 2>&1 ||
      true
    # the postmaster removes its pid file a moment before it exits: wait for
    # it (its children are gone before it), so that nothing is left running
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "${PGT:-}" ] && rm -rf "$PGT"
  PGT=
}

pg_as() { # runs a command as the server's user
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- \
      env PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "$@"
  else
    "$@"
  fi
}

pg_cluster_start() {
  local bindir=$1 so=$2 extdir=$3 data=$4 f
  local libdir sharedir
  libdir=$("$bindir/pg_config" --pkglibdir)
  sharedir=$("$bindir/pg_config" --sharedir)
  # the layout of Debian's tree (/usr/lib/postgresql/15, /usr/share/postgresql/15)
  case "$bindir:$libdir:$sharedir" in
    /usr/lib/postgresql/15/bin:/usr/lib/postgresql/15/lib:/usr/share/postgresql/15) ;;
    *) echo "cluster.sh: expected Debian's PostgreSQL 15 layout, got $bindir $libdir $sharedir" >&2
       return 1 ;;
  esac
  PGT=$(mktemp -d "${TMPDIR:-/tmp}/osteotrack-pg.XXXXXX")
  trap pg_cluster_stop EXIT
  trap 'exit 130' INT TERM HUP
  chmod 755 "$PGT"
  local r=$PGT/usr
  mkdir -p "$r/lib/postgresql/15/bin" "$r/lib/postgresql/15/lib" \
           "$r/share/postgresql/15/extension" "$PGT/sock" "$PGT/work" "$PGT/refdata"
  cp "$bindir/postgres" "$bindir/initdb" "$bindir/pg_ctl" "$r/lib/postgresql/15/bin/"
  for f in "$libdir"/*; do ln -s "$f" "$r/lib/postgresql/15/lib/"; done
  for f in "$sharedir"/*; do
    [ "$(basename "$f")" = extension ] || ln -s "$f" "$r/share/postgresql/15/"
  done
  for f in "$sharedir"/extension/*; do ln -s "$f" "$r/share/postgresql/15/extension/"; done
  cp "$so" "$r/lib/postgresql/15/lib/osteotrack.so"
  cp "$extdir"/osteotrack.control "$extdir"/osteotrack--*.sql "$r/share/postgresql/15/extension/"
  # the reference data, readable by the server's user
  mkdir -p "$PGT/refdata/fhir"
  cp "$data"/*.json "$PGT/refdata/"
  cp "$data"/fhir/*.json "$PGT/refdata/fhir/"
  [ "$(id -u)" -eq 0 ] && chown -R nobody:nogroup "$PGT/sock" "$PGT/work" && chown nobody:nogroup "$PGT"
  chmod -R a+rX "$PGT/refdata" "$r"
  pg_as "$r/lib/postgresql/15/bin/initdb" -D "$PGT/db" -U ot --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$PGT/work/initdb.log" 2>&1 || { cat "$PGT/work/initdb.log" >&2; return 1; }
  cat >>"$PGT/db/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PGT/sock'
osteotrack.data_dir = '$PGT/refdata'
max_worker_processes = 8
max_parallel_workers = 4
fsync = off
CONF
  pg_as "$r/lib/postgresql/15/bin/pg_ctl" -D "$PGT/db" -l "$PGT/work/server.log" -w start \
    >/dev/null || { cat "$PGT/work/server.log" >&2; return 1; }
  export PGHOST=$PGT/sock PGPORT=5432 PGUSER=ot PGDATABASE=postgres
}
