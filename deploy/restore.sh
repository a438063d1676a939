#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a stack with an empty
# database and media volume (a new host, or after `docker compose down -v`).
# docs/operations.md, "Back up and restore".
#
#   deploy/restore.sh BACKUP.dump BACKUP-media.tar
#
# Then `docker compose up -d`: the migrate service brings the restored
# database up to the code's migrations, and everything else starts.
# COMPOSE says how to call compose (default "docker compose").
set -euo pipefail
dump=${1:?usage: deploy/restore.sh BACKUP.dump BACKUP-media.tar}
media=${2:?usage: deploy/restore.sh BACKUP.dump BACKUP-media.tar}
read -ra compose <<<"${COMPOSE:-docker compose}"

"${compose[@]}" up -d --no-build db redis
for _ in $(seq 60); do
  "${compose[@]}" exec -T db pg_isready -q -U kvarter -d kvarter && break
  sleep 1
done
tables=$("${compose[@]}" exec -T db psql -U kvarter -d kvarter -tAc \
  "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "${tables//[[:space:]]/}" != 0 ]; then
  echo "The database is not empty ($tables tables): restore into an empty one (docs/operations.md)." >&2
  exit 1
fi
"${compose[@]}" exec -T db pg_restore --username=kvarter --dbname=kvarter --no-owner --exit-on-error <"$dump"
# The files, as the app user, through a one-off container with the media volume.
"${compose[@]}" run --rm --no-deps -T migrate tar -C /app/media -xf - <"$media"
echo "Restored $dump and $media. Start everything: docker compose up -d"
