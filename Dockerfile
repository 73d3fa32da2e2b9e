# The reward-server image, built from a wheelhouse so that the build needs no network:
#
#   make image                                   # wheels, then: docker build .
#   make image BASE_IMAGE=debian-with-python3.11 IMAGE=reward-server:dev
#
# Runs as a non-root user; configured with REWARD_SERVER_* variables (see README).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
COPY build/wheelhouse /wheelhouse
RUN python3 -m venv /opt/reward-server \
    && /opt/reward-server/bin/pip install --no-cache-dir --no-index \
        --find-links /wheelhouse reward-server

FROM ${BASE_IMAGE}
RUN useradd --system --uid 10001 --user-group --no-create-home \
        --shell /usr/sbin/nologin reward-server
COPY --from=build /opt/reward-server /opt/reward-server
ENV PATH=/opt/reward-server/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    REWARD_SERVER_HOST=0.0.0.0 \
    REWARD_SERVER_PORT=8000
USER reward-server
WORKDIR /tmp
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('REWARD_SERVER_PORT', '8000'), timeout=2)"]
CMD ["reward-server", "serve"]
