#!/bin/sh
# The container's commands in one place. The Dockerfile runs `build`, docker-compose.yml runs
# `migrate`, `web`, `worker` and `beat`, and CI's smoke test (scripts/smoke_deploy.py) runs the
# same lines without Docker, so what CI tests is what the image does.
set -eu
cd "$(dirname "$0")/.."

wait_for_migrations() {
  # Compose starts web, worker and beat after the migrate service; this guards other set-ups
  # (and an upgrade where the new code starts before its migrations ran).
  tries=0
  until python manage.py migrate --check >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge "${MIGRATION_WAIT_TRIES:-100}" ]; then
      echo "entrypoint: the database has unapplied migrations; run the migrate service" >&2
      exit 1
    fi
    echo "entrypoint: waiting for migrations ($tries)" >&2
    sleep 3
  done
}

role="${1:-web}"
case "$role" in
  build)
    # At image build, as root: the version shown in the footer and /healthz, and the static files.
    printf '%s\n' "${CCHC_VERSION:-unknown}" > VERSION
    SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0
    ;;
  migrate)
    python manage.py migrate --noinput
    python manage.py load_reference
    ;;
  web)
    wait_for_migrations
    exec gunicorn cchc_portal.wsgi --config deploy/gunicorn.conf.py
    ;;
  worker)
    wait_for_migrations
    exec celery -A cchc_portal worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    wait_for_migrations
    exec celery -A cchc_portal beat --loglevel=INFO --schedule="${BEAT_SCHEDULE:-/var/lib/celery/beat-schedule}"
    ;;
  *)
    exec "$@"
    ;;
esac
