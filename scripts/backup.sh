#!/bin/sh
# Back up the portal: the database (pg_dump custom format) and the media files (uploads, evidence).
#   scripts/backup.sh DATABASE_URL MEDIA_DIR OUT_DIR
# With compose: docker compose exec -T postgres pg_dump -U cchc -Fc cchc > db.dump (see docs/operations.md).
set -eu
url="$1"; media="$2"; out="$3"
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
pg_dump --format=custom --no-owner --dbname="$url" --file="$out/cchc-$stamp.dump"
tar -czf "$out/cchc-media-$stamp.tar.gz" -C "$media" .
echo "$out/cchc-$stamp.dump $out/cchc-media-$stamp.tar.gz"
