# The bot, polling Telegram, with its SQLite database on the volume /app/data.
#   docker build -t newsroom-bot .
#   docker run -d --name newsroom-bot --restart unless-stopped --env-file .env \
#     -v newsroom-data:/app/data newsroom-bot
FROM python:3.11-slim

# Log lines reach `docker logs` as they are written; the code folder is read-only to the
# bot's user, so there is no point trying to write .pyc files into it.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# The pinned runtime list first: a change to the code alone reuses this layer.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
# The compiled translations (bot.i18n reads locales/*/LC_MESSAGES/bot.mo).
COPY locales ./locales

# The bot needs no privileges; a fixed uid lets a bind-mounted host folder be given to it
# (chown 10001). A named volume takes /app/data's owner from the image by itself.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin bot \
    && mkdir /app/data \
    && chown bot:bot /app/data
USER bot

# The database must be on the volume to outlive the container. The default (and
# .env.example's) DATABASE_PATH, data/bot.sqlite3, is relative to /app: on the volume,
# so the same .env works with and without Docker.
ENV DATABASE_PATH=data/bot.sqlite3
VOLUME /app/data

# Exec form: python is PID 1 and receives docker stop's SIGTERM, on which the bot stops
# polling and closes the database cleanly.
CMD ["python", "-m", "bot"]
