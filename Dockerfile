# Evidence Hub: one image for the web app (gunicorn) and for one-off commands (migrations, checks).
# Build:  docker build -t evidence-hub .
# Run:    docker compose up   (compose.yaml: PostgreSQL, the migrations, the web app)

# Python 3.12: under load, Python 3.11.7 crashed workers with SIGSEGV while collecting the garbage of a
# request (docs/investigations/sigsegv.md); 3.12 did not, and the locked dependencies and tests run on it.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md wsgi.py gunicorn.conf.py ./
COPY evidence_hub ./evidence_hub
COPY static ./static
COPY migrations ./migrations
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
# Exact versions of every dependency, as tested (requirements.lock, made by scripts/lock_dependencies.sh).
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock
COPY --from=build /wheels/ /tmp/wheels/
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels /tmp/requirements.lock

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin evidence
WORKDIR /srv/evidence-hub
COPY wsgi.py gunicorn.conf.py ./
RUN mkdir instance && chown evidence:evidence instance
USER evidence

ENV EVIDENCE_HUB_ENV=production \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "wsgi:app"]
