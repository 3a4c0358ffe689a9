# chainkg API image. Configured like everywhere else: CHAINKG_GRAPH picks the store.
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
RUN pip install --no-cache-dir .

ENV CHAINKG_GRAPH=falkordb-lite:///data/chainkg
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/ready')"
CMD ["chainkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
