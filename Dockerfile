# syntax=docker/dockerfile:1
# Kvarter: Debian 13's Python 3.13 with WeasyPrint's libraries (Pango and
# HarfBuzz with the subsetter), the dependencies in a virtual environment,
# static files collected and catalogues compiled at build time, run as the
# unprivileged user `kvarter` (uid 10001), which owns only /app/media.
#
# Build (docs/operations.md): docker compose build, or
#   podman build --secret id=build_ca,src=/etc/ssl/certs/ca-certificates.crt -t kvarter .
# The optional build secret `build_ca` is a PEM bundle that the build trusts
# for PyPI (a TLS-inspecting proxy or a private mirror); it is not kept in the image.
# The catalogues, compiled by Debian's msgfmt (which also checks their format
# strings) in a stage of their own, so the image carries neither gettext nor polib.
FROM debian:trixie-slim AS catalogues
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY locale /locale
RUN for po in /locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "${po%.po}.mo" "$po"; done

FROM debian:trixie-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/app/media \
    XDG_CACHE_HOME=/tmp/.cache
WORKDIR /app

# Dependencies first: this layer is reused until the lock file changes. Exactly
# the versions and files CI tested (hashes checked). KVARTER_LOCK: `base`, or
# `production-extras` for S3-compatible storage and error tracking.
ARG KVARTER_LOCK=base
ARG PIP_INDEX_URL=https://pypi.org/simple
COPY requirements/ requirements/
RUN --mount=type=secret,id=build_ca \
    if grep -qs 'BEGIN CERTIFICATE' /run/secrets/build_ca; then export PIP_CERT=/run/secrets/build_ca; fi \
    && python3 -m venv /opt/venv \
    && pip install --no-cache-dir --disable-pip-version-check --index-url "$PIP_INDEX_URL" \
      --require-hashes -r "requirements/$KVARTER_LOCK.txt"

COPY . .
COPY --from=catalogues /locale /app/locale
# Byte code and static files now, so the running containers write nothing but
# uploads and reports (their root file system is read-only).
RUN python -m compileall -q /app \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
    && useradd --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin kvarter \
    && install -d -o kvarter -g kvarter -m 0750 /app/media

USER kvarter
EXPOSE 8000
# docker-compose.yml gives each service its command; this one is the web server.
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn"]
