# syntax=docker/dockerfile:1
#
# One image for every Switchboard service. The container's argument (or SERVICE) picks what runs:
#   gateway | payments | commerce | billing | helpdesk      serve until SIGTERM
#   migrate-<subgraph>                                      apply that subgraph's migrations, exit
#
#   docker build -t switchboard:<version> .
#   docker run --rm -e ... switchboard:<version> commerce
#
# The runtime stage holds only the bundles from `pnpm build` (dist/: our code and every
# JavaScript dependency, tree-shaken) plus the native addon they load; no package manager, no
# TypeScript, no dev dependencies. Files belong to root and are read-only for the service user, so
# the container runs with a read-only root filesystem (k8s mounts an emptyDir on /tmp).

# Node 20 is the LTS the stack is tested on (package.json engines, CI).
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Same pnpm as package.json's packageManager; installed with npm (no corepack download at run time).
RUN npm install -g pnpm@10.34.9
WORKDIR /src

# Dependencies first, keyed on the lockfile only, so source edits reuse this layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch

COPY . .
RUN pnpm install --frozen-lockfile --offline \
 && pnpm build

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime
# Nothing in the container installs packages: drop the package managers the base image ships.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=build /src/dist ./dist
COPY --from=build /src/supergraph.graphql ./supergraph.graphql
# The base image's unprivileged `node` user, numerically so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 4000 4001 4002 4003 4004
ENTRYPOINT ["node", "/app/dist/entrypoint.mjs"]
