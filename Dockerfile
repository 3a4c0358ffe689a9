# chainkg API + web UI image. Configured like everywhere else: CHAINKG_GRAPH picks the store.

# The web UI's npm packages, installed from the lock file.
FROM node:20-slim AS web
WORKDIR /web
COPY api/web/package.json api/web/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY queries ./queries
COPY api ./api
COPY benchmarks ./benchmarks
COPY --from=web /web/node_modules ./api/web/node_modules
RUN pip install --no-cache-dir -e .

ENV CHAINKG_GRAPH=falkordb-lite:///data/chainkg
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/ready')"
CMD ["chainkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
