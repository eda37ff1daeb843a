# assist — 坐席助手. Build: docker build -t assist .
# Run:  docker run -p 8000:8000 -e ASSIST_TOKENS='<ingest-token>=ingest,<board-token>=supervisor' assist
# A container listens on 0.0.0.0 to be reachable through -p, so it needs tokens: without
# ASSIST_TOKENS (or /app/rules/tokens.yaml) `assist serve` refuses to start and says why.
# Pages opened through another host name than the one they are served from need
# ASSIST_ALLOWED_ORIGINS=https://board.example.com (see README "安全与部署").
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY assist ./assist
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ASSIST_HOST=0.0.0.0 \
    ASSIST_PORT=8000 \
    ASSIST_DB_URL=sqlite+aiosqlite:////data/assist.db \
    ASSIST_RULES_DIR=/app/rules \
    ASSIST_PHRASEBOOK=/app/phrasebook.yaml
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin assist \
    && mkdir -p /data /app \
    && chown assist:assist /data
WORKDIR /app
COPY --chown=assist:assist rules ./rules
COPY --chown=assist:assist phrasebook.yaml ./phrasebook.yaml
USER assist
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["assist", "serve"]
