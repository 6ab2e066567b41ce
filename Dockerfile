# motcua: the web chat, webhooks and jobs in one process.
#   docker build -t motcua .
#   docker run -p 8080:8080 -v motcua-data:/data motcua
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
RUN pip install . && useradd --system --uid 10001 motcua && mkdir -p /data && chown motcua /data

USER motcua
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["motcua", "serve"]
