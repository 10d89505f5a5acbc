# TermsOps: one image for the web server, the Celery worker and beat (compose.yaml runs each).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-nanum \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
    && python manage.py compilemessages -l en -l ko --ignore=.venv \
    && SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.sqlite3 ALLOWED_HOSTS=build \
       OPERATOR_NAME=build OPERATOR_BUSINESS_NUMBER=0000000000 \
       python manage.py collectstatic --noinput
RUN useradd --create-home termsops && mkdir -p /app/media && chown termsops /app/media
USER termsops
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py"]
