#!/usr/bin/env bash
# Issue 13's figures in one run, each beside its baseline measured in the same run:
#   1. ingest vs raw COPY vs the floor (COPY into staging + one INSERT…SELECT), row and column paths,
#      with / without the 766 columns, --initial                     (bench/dossiers_ingest.py)
#   2. at 1M and at 10M dossiers over 10 provinces: stats page, dashboard block, late list and its
#      .xlsx export, the overdue job, a full recompute vs one GROUP BY, a dashboard query during a
#      recompute vs without, one province's month imported, and the growth 1M → 10M
#                                                                     (bench/dossiers_scale.py)
#   3. the leader dashboard at 16 connections right after an import's cache bump, cold and warm,
#      with and without warming                                        (bench/dashboards_load.py)
#
#   bench/dossiers_at_scale.sh [ROWS_INGEST] [SCALE_SIZES]
#   e.g. bench/dossiers_at_scale.sh 1000000 "1000000 10000000" | tee bench/results/dossiers_at_scale.txt
#
# Databases (PostgreSQL on 127.0.0.1, created when missing): cchc_bench_dossiers, cchc_bench_scale_1m /
# _10m (kept and reused: the 10M synthesis takes minutes), cchc_bench_dash; Redis db 12 (flushed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ROWS=${1:-1000000}
SIZES=${2:-"1000000 10000000"}
PG=postgres://postgres@127.0.0.1:5432
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/12}
started=$(date +%s)
section() { printf '\n######## %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

section "1. ingest: ${ROWS} rows"
BENCH_DATABASE_URL=$PG/cchc_bench_dossiers "$PY" bench/dossiers_ingest.py --rows "$ROWS" --skip-import-export

for size in $SIZES; do
  section "2. dossiers at scale: ${size}"
  BENCH_DATABASE_URL=$PG/cchc_bench_scale "$PY" bench/dossiers_scale.py --rows "$size"
done

section "3. leader dashboard at 16 connections after an import"
BENCH_DATABASE_URL=$PG/cchc_bench_dash BENCH_REDIS_URL=$REDIS "$PY" bench/dashboards_load.py seed
BENCH_DATABASE_URL=$PG/cchc_bench_dash BENCH_REDIS_URL=$REDIS "$PY" bench/dashboards_load.py run

section "done"
