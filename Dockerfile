# DigiFin web, worker and beat image (Python 3.11 on Debian 12, as on the developers' machines).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    DJANGO_SETTINGS_MODULE=digifin.settings.production

RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        fonts-dejavu-core gettext nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --python /usr/local/bin/python3
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
# A throwaway key for the build steps only (production settings refuse short or example keys).
RUN scripts/build_assets.sh \
    && export DJANGO_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    && DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       .venv/bin/python manage.py collectstatic --noinput -v 0 \
    && DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

RUN useradd --system --home /app digifin && mkdir -p /app/var/media && chown -R digifin /app/var
USER digifin
ENV PATH="/app/.venv/bin:$PATH"
EXPOSE 8000
CMD ["gunicorn", "digifin.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
