# motcua: the web chat, webhooks and jobs in one process.
#   docker build -t motcua .
#   docker run -p 8080:8080 -v motcua-data:/data motcua
# With PostgreSQL: compose.yaml. Settings: motcua.env.example.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MOTCUA_HOST=0.0.0.0 \
    MOTCUA_PORT=8080 \
    MOTCUA_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY surveys ./surveys
COPY complaints ./complaints
COPY staff ./staff
COPY privacy ./privacy
RUN pip install . && rm -rf build *.egg-info && useradd --system --uid 10001 motcua && mkdir -p /data && chown motcua /data

USER motcua
VOLUME ["/data"]
EXPOSE 8080
# The port follows MOTCUA_PORT; start-up (migrations, the matcher index) may take a while.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MOTCUA_PORT', '8080'), timeout=4)"
CMD ["motcua", "serve"]
