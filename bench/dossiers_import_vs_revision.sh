#!/usr/bin/env bash
# This checkout's dossier import against an earlier revision's, on the same machine in the same run.
#
#   bench/dossiers_import_vs_revision.sh [REV] [ROWS] [ROUNDS]
#
# REV defaults to 1a36be2, main just before issue 15 (the Decision 766 columns and the handling time):
# "import throughput with the new fields stays within 10% of today's". Each tree gets its own database
# (migrated, demo data loaded) and its own export written by its own generator (same seed and end day:
# the same receipts; this tree's has the 766 columns), then `manage.py import_dossiers` into empty tables,
# alternated REV / this tree, ROUNDS times. Prints each run and the ratio this / REV (best and mean).
# Needs PostgreSQL on 127.0.0.1 (trust auth, user postgres) and `make install` done in this checkout.
set -euo pipefail
REV=${1:-1a36be2}
ROWS=${2:-1000000}
ROUNDS=${3:-2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-/tmp/cchc-bench-vs-rev}
OLD="$WORK/tree-$REV"
PG="postgres://postgres@127.0.0.1:5432"
mkdir -p "$WORK"
if [ ! -d "$OLD" ]; then
  git -C "$HERE" worktree add --detach -f "$OLD" "$REV" >/dev/null
fi
ln -sfn "$HERE/.venv" "$OLD/.venv"

prepare() { # tree db
  psql -U postgres -h 127.0.0.1 -tAc "SELECT 1 FROM pg_database WHERE datname = '$2'" | grep -q 1 ||
    psql -U postgres -h 127.0.0.1 -qc "CREATE DATABASE $2"
  (cd "$1" && export DATABASE_URL="$PG/$2" DJANGO_DEBUG=1 CELERY_BROKER_URL= &&
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_demo >/dev/null &&
    { [ -f "$WORK/$2-$ROWS.csv" ] || .venv/bin/python manage.py generate_dossiers --rows "$ROWS" \
        --out "$WORK/$2-$ROWS.csv" --seed 1 --end 2026-11-28 >/dev/null; })
}

run() { # label tree db
  psql -U postgres -h 127.0.0.1 -d "$3" -v ON_ERROR_STOP=1 -qc "DO \$\$ DECLARE t text; BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'
             AND (tablename = 'dossiers_dossier' OR tablename LIKE 'dossiers_%summary')
    LOOP EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END LOOP; END \$\$" -c "CHECKPOINT"
  local started ended out
  started=$(date +%s.%N)
  out=$(cd "$2" && DATABASE_URL="$PG/$3" DJANGO_DEBUG=1 CELERY_BROKER_URL= \
    .venv/bin/python manage.py import_dossiers "$WORK/$3-$ROWS.csv" 2>/dev/null | tail -1)
  ended=$(date +%s.%N)
  local seconds
  seconds=$(echo "$ended - $started" | bc)
  echo "$1 $seconds" >>"$WORK/times"
  printf '  %-10s %7.2f s  load %s\n    %s\n' "$1" "$seconds" "$(cut -d' ' -f1 /proc/loadavg)" "$out"
}

echo "# dossier import, this checkout ($(git -C "$HERE" rev-parse --short HEAD)) vs $REV, $ROWS rows, $(date -u '+%Y-%m-%d %H:%M')"
prepare "$OLD" cchc_bench_rev
prepare "$HERE" cchc_bench_this
: >"$WORK/times"
for _ in $(seq "$ROUNDS"); do
  run "$REV" "$OLD" cchc_bench_rev
  run this "$HERE" cchc_bench_this
done
awk -v rev="$REV" '
  { n[$1]++; sum[$1] += $2; if (!($1 in best) || $2 < best[$1]) best[$1] = $2 }
  END {
    printf "  this / %s: best %.2fx, mean %.2fx (issue 15 goal <= 1.10)\n", rev, best["this"] / best[rev],
      (sum["this"] / n["this"]) / (sum[rev] / n[rev])
  }' "$WORK/times"
