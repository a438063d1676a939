FROM python:3.12-slim-bookworm
# WeasyPrint needs Pango and HarfBuzz (with the subsetter) from Debian.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN python scripts/check_catalogues.py --compile
RUN useradd --create-home kvarter && mkdir -p /app/media && chown kvarter /app/media
USER kvarter
EXPOSE 8000
