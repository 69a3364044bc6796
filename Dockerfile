# The one image web, worker, beat and the migrate one-off run (docker-compose.yml).
# Python 3.11 as on the machines the project is built for (pyproject: requires-python >= 3.11).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 abm \
    && mkdir -p /app /data/media \
    && chown abm:abm /app /data/media
WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
# `pip install .` installs exactly what pyproject declares (its own package list is empty: the
# code runs from /app).
COPY --chown=abm:abm pyproject.toml README.md ./
RUN pip install . && rm -rf build *.egg-info

COPY --chown=abm:abm . .
USER abm

# Static files are part of the image: collected once at build time with the production storage
# (hashed, compressed names for whitenoise). The key only lets settings load; nothing is signed.
RUN DEBUG=0 ALLOWED_HOSTS=localhost SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789 \
    python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "abm_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
