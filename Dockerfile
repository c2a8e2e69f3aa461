# finetune-bot: a slim image with the locked dependencies, running as a non-root user.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install "uv==0.13.8"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
# Dependencies first (cached while only the code changes), exactly as uv.lock pins them: the production
# install, without the development tools and without the `sandbox` extra (moto, a Valkey server).
RUN uv sync --frozen --no-dev --no-install-project
COPY bot ./bot
COPY workflows ./workflows
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 finetune
COPY --from=build /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 PORT=3000
USER finetune
WORKDIR /home/finetune
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"
ENTRYPOINT ["finetune-bot"]
CMD ["serve"]
