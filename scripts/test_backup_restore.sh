#!/bin/sh
# Proves backup.sh + restore.sh round-trip: a migrated database with data and a media file is
# backed up, restored into a fresh database and directory, and compared. CI runs it.
#   scripts/test_backup_restore.sh [PG_ADMIN_URL]   (default postgres://postgres@127.0.0.1:5432)
set -eu
cd "$(dirname "$0")/.."
admin="${1:-postgres://postgres@127.0.0.1:5432}"
src="cchc_backup_src_$$"; dst="cchc_backup_dst_$$"; work=$(mktemp -d)
trap 'psql -q "$admin/postgres" -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null; rm -rf "$work"' EXIT
psql -q "$admin/postgres" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
export ENV_FILE= DJANGO_DEBUG=1 DATABASE_URL="$admin/$src"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py shell -c "from provinces.models import AdministrativeUnit as U; U.objects.create(code='52', name='Tỉnh Gia Lai', level='province', type='tinh', valid_from='2025-07-01')" >/dev/null
mkdir -p "$work/media/dossier_imports" && echo "uploaded" > "$work/media/dossier_imports/a.csv"
set -- $(scripts/backup.sh "$admin/$src" "$work/media" "$work/backup")
scripts/restore.sh "$admin/$dst" "$work/restored-media" "$1" "$2" >/dev/null
count() { psql -tA "$admin/$1" -c "SELECT count(*) || ':' || string_agg(name, ',') FROM provinces_administrativeunit"; }
migrations() { psql -tA "$admin/$1" -c "SELECT count(*) FROM django_migrations"; }
[ "$(count $src)" = "$(count $dst)" ] || { echo "FAILED: units differ"; exit 1; }
[ "$(migrations $src)" = "$(migrations $dst)" ] || { echo "FAILED: migrations differ"; exit 1; }
cmp "$work/media/dossier_imports/a.csv" "$work/restored-media/dossier_imports/a.csv"
echo "backup and restore: OK ($(count $dst))"
