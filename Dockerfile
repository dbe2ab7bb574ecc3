# Parley, one image for every role: `docker run parley` starts all roles in one process; in a
# cluster set PARLEY_ROLE (gateway, api, worker) and the engines (deploy/docker-compose.yml).

FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary at install; these build it when none fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# The manifests first, so that the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY packages/proto/package.json packages/proto/
COPY packages/client/package.json packages/client/
COPY packages/ext/package.json packages/ext/
COPY packages/server/package.json packages/server/
COPY packages/web/package.json packages/web/
RUN npm ci
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production \
    PARLEY_DATA_DIR=/var/lib/parley \
    PARLEY_GRPC_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/proto/package.json packages/proto/
COPY --from=build /app/packages/proto/dist packages/proto/dist
COPY --from=build /app/packages/server/package.json packages/server/
COPY --from=build /app/packages/server/dist packages/server/dist
# The web app, static files served at / (PARLEY_WEB_DIR points elsewhere).
COPY --from=build /app/packages/web/dist packages/web/dist
COPY deploy/docker-entrypoint.sh /usr/local/bin/parley-entrypoint
COPY deploy/generate-signing-key.mjs deploy/
# The data dir (SQLite, a generated key) and the shared-key mount belong to the node user.
RUN chmod 0755 /usr/local/bin/parley-entrypoint \
  && mkdir -p /var/lib/parley /etc/parley/keys \
  && chown node:node /var/lib/parley /etc/parley/keys \
  && chmod 0700 /etc/parley/keys
USER node
VOLUME ["/var/lib/parley"]
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PARLEY_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["parley-entrypoint"]
CMD ["node", "packages/server/dist/cli.js", "start"]
