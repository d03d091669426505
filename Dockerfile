# Posko image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# Chromium takes the screenshots of archived links; fonts so Indonesian pages render.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock
COPY . .
RUN SECRET_KEY=build-only STATIC_ROOT=/app/var/static python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 posko && mkdir -p /data/media && chown -R posko /data
USER posko
ENV MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/static
EXPOSE 8000
# The access log leaves out query strings (%(U)s is the path alone): a draft's resume code travels there.
CMD ["gunicorn", "posko.wsgi", "-b", "0.0.0.0:8000", "-w", "4", "--timeout", "120", "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s"]
