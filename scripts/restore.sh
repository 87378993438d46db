#!/bin/sh
# Restore a backup made by scripts/backup.sh into an EMPTY database and media directory.
#   scripts/restore.sh DATABASE_URL MEDIA_DIR DUMP_FILE MEDIA_TARBALL
set -eu
url="$1"; media="$2"; dump="$3"; tarball="$4"
pg_restore --no-owner --exit-on-error --dbname="$url" "$dump"
mkdir -p "$media"
tar -xzf "$tarball" -C "$media"
echo "restored $dump and $tarball"
