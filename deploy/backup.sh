#!/usr/bin/env bash
# Back up a running Kvarter stack: the database (pg_dump, custom format, a
# consistent snapshot while it runs) and the media volume (uploads and report
# PDFs, as a tar). docs/operations.md, "Back up and restore".
#
#   deploy/backup.sh [DIR]          (default: ./backups)
#
# COMPOSE says how to call compose (default "docker compose"; for example
# "podman-compose -p kvarter"). With KVARTER_STORAGE=s3 the files are in the
# bucket: back that up with the object store's own versioning or replication.
set -euo pipefail
dir=${1:-backups}
read -ra compose <<<"${COMPOSE:-docker compose}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$dir"

"${compose[@]}" exec -T db pg_dump --format=custom --username=kvarter --dbname=kvarter \
  >"$dir/kvarter-$stamp.dump.partial"
mv "$dir/kvarter-$stamp.dump.partial" "$dir/kvarter-$stamp.dump"
# After the dump: every file a row names is in the tar (a newer file whose row
# came later is harmless; it is never served).
"${compose[@]}" exec -T worker tar -C /app/media -cf - . >"$dir/kvarter-$stamp-media.tar.partial"
mv "$dir/kvarter-$stamp-media.tar.partial" "$dir/kvarter-$stamp-media.tar"
echo "$dir/kvarter-$stamp.dump"
echo "$dir/kvarter-$stamp-media.tar"
