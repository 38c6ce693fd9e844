# Start a throwaway PostgreSQL cluster on 127.0.0.1 for one CI pass; prints the DATABASE_URL to use.
# Usage: eval "$(bash .ci/postgres.sh start DIR)"   …   bash .ci/postgres.sh stop DIR
set -euo pipefail
action="$1"
dir="$2"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port="${PGPORT_CI:-54329}"
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U planner --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-k $dir -h 127.0.0.1 -p $port -F" start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U planner planner
    echo "export DATABASE_URL=postgres://planner@127.0.0.1:$port/planner"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
