# syntax=docker/dockerfile:1
#
# One image for the API, the reactor, the projections runner and the Telnyx simulator (the compose
# services pick the entry point), plus a separate target for the console's static files.
#
#   docker build -t callstream:local .                    # runtime (the default, last stage)
#   docker build -t callstream-console:local --target console .

ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine

# ---- dependencies (dev included: the build needs TypeScript and the Angular builder) ------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- server build: api, projections, simulator (and bench) to dist/ ----------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY api ./api
COPY projections ./projections
COPY simulator ./simulator
COPY bench ./bench
# The benchmarks sign webhooks with the test helpers.
COPY test/support ./test/support
RUN npm run build

# ---- console build -------------------------------------------------------------------------------
# Builds console/ when it holds an Angular project (console/package.json or console/angular.json);
# otherwise ships a placeholder page, so the image builds at every stage of the console's life.
FROM deps AS console-build
COPY . .
ENV NG_CLI_ANALYTICS=false
RUN set -eu; \
  mkdir -p /console-out; \
  if [ -f console/package.json ]; then \
    (cd console && npm ci --no-audit --no-fund && npm run build); \
  elif [ -f console/angular.json ]; then \
    npm run console:build --if-present; \
    [ -d console/dist ] || (cd console && /app/node_modules/.bin/ng build --configuration production); \
  fi; \
  index="$(find console/dist -name index.html -not -path '*/server/*' 2>/dev/null | head -n 1 || true)"; \
  if [ -n "$index" ]; then \
    cp -R "$(dirname "$index")"/. /console-out/; \
  else \
    printf '<!doctype html><title>callstream</title><p>The console has not been built into this image.</p>\n' > /console-out/index.html; \
  fi

# ---- production dependencies only ----------------------------------------------------------------
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

# ---- console: static files behind an unprivileged nginx ------------------------------------------
FROM ${NGINX_IMAGE} AS console
COPY deploy/nginx/console.conf /etc/nginx/conf.d/default.conf
COPY --from=console-build /console-out /usr/share/nginx/html
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1

# ---- runtime (default target) --------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    CALLSTREAM_DATA_DIR=/app/data
WORKDIR /app
# Code and modules stay owned by root: the process can read them, not change them.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
# Liveness of the API; the reactor and projections services override or disable it in compose.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/main.js"]
