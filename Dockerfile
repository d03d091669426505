# Posko image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# Chromium takes the screenshots of archived links; fonts so Indonesian pages render.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock
COPY . .
# Settings refuse to start without the key rings: throw-away ones for this one command, never kept in the image.
RUN SECRET_KEY=build-only STATIC_ROOT=/app/var/static POSKO_IDENTITY_HASH_KEYS=build-only-build-only-build-only-0 \
    POSKO_PIN_KEYS=build-only-build-only-build-only-0 \
    POSKO_IDENTITY_KEYS=$(python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())") \
    python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 posko && mkdir -p /data/media && chown -R posko /data
USER posko
ENV MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/static
EXPOSE 8000
# The access log leaves out query strings (%(U)s is the path alone): a draft's resume code travels there.
# Workers, bind address and timeout from WEB_WORKERS, GUNICORN_BIND, GUNICORN_TIMEOUT (posko/gunicorn.conf.py).
CMD ["gunicorn", "-c", "posko/gunicorn.conf.py", "--access-logfile", "-", \
     "--access-logformat", "%(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s", "posko.wsgi"]
