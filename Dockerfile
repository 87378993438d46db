FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The footer's and /healthz's version: docker compose build --build-arg CCHC_VERSION=$(git describe --tags --always)
ARG CCHC_VERSION=unknown
RUN CCHC_VERSION="$CCHC_VERSION" deploy/entrypoint.sh build
# A real user with a home directory; /app itself writable so commands can write files there
# (`manage.py generate_dossiers --out f.csv`), the code and static files stay root's.
RUN useradd --create-home --uid 1000 cchc \
 && mkdir -p /app/media /var/lib/celery && chown cchc /app /app/media /var/lib/celery
USER cchc
EXPOSE 8000
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["web"]
