# Finch's image: `docker build -t finch .`, run by compose.yaml (see the README, "Run in production").
#
# Node 24, the active LTS line (Node 20's support ended in April 2026), on Debian bookworm slim:
# glibc, so better-sqlite3 built in the first stage loads in the second (same base, same ABI), and
# a small image without compilers. The build runs the same `npm ci` and `npm run build` as CI.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native module with these.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The whole source before `npm ci`: its `prepare` script builds, so it needs the sources.
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build
# Production dependencies only: the compiled better-sqlite3 stays, the dev tools go.
RUN npm prune --omit=dev --no-audit --no-fund \
  && chmod 0755 dist/cli/main.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    FINCH_HOST=0.0.0.0 \
    FINCH_PORT=8080 \
    FINCH_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `finch` on the PATH, as `npm install -g` would put it (docker compose exec finch-1 finch help).
RUN ln -s /app/dist/cli/main.js /usr/local/bin/finch \
  && groupadd --system --gid 10001 finch \
  && useradd --system --uid 10001 --gid finch --home-dir /data --shell /usr/sbin/nologin finch \
  && mkdir -p /data \
  && chown finch:finch /data \
  && chmod 0700 /data
USER finch:finch
# SQLite's database and the first start's secret files (first-admin.txt, fin-client.txt).
VOLUME ["/data"]
EXPOSE 8080
# `finch start` drains requests and closes on SIGTERM (the default; said here so it stays so).
STOPSIGNAL SIGTERM
# Node's own fetch: the image has no curl. A worker (no HTTP port) serves the probes on
# FINCH_METRICS_PORT instead; compose.yaml gives it its own check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.FINCH_PORT || 8080}/health/live`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["finch"]
CMD ["start"]
