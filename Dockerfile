# factbot in a container: long polling by default; give it a token and a volume for its data.
#   docker build -t factbot .
#   docker run -e TELEGRAM_BOT_TOKEN=... -v factbot-data:/data factbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FACTBOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip install . && useradd --create-home --uid 10001 factbot && mkdir -p /data \
    && chown factbot /data

USER factbot
VOLUME ["/data"]
# Refuse to start on invalid knowledge at build time rather than in production.
RUN factbot check
CMD ["factbot", "run"]
