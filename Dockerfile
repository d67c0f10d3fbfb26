# factbot in a container: long polling by default; give it a token and a volume for its data.
#   docker build -t factbot .
#   docker run -d --name factbot -e TELEGRAM_BOT_TOKEN=... -v factbot-data:/data factbot
# As a webhook behind a TLS proxy: add -e FACTBOT_WEBHOOK_URL=https://... -p 8443:8443.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FACTBOT_DATA_DIR=/data

# The account the bot runs as (numeric, so any runtime knows it is not root) and its data folder.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent factbot \
    && mkdir /data && chown 10001:10001 /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip install --no-cache-dir .

USER 10001
# Refuse to build an image with invalid knowledge rather than start on it in production.
RUN factbot check
VOLUME ["/data"]
# The webhook's local port (webhook_port); long polling, the default, listens on nothing.
EXPOSE 8443
# Fails when the bot's heartbeat in /data is stale or its database unusable.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["factbot", "health"]
CMD ["factbot", "run"]
