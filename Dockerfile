# syntax=docker/dockerfile:1
# One image for every part: `payouts all` by default; compose runs `api`, `worker` and `sandbox`.
#
# node:24-slim: Node 24 is the Active LTS line (supported to April 2028, a year past Node 22), its
# npm 11 matches the one that wrote package-lock.json, and it is in package.json's engines range
# (^20.19.0 || >=22.12.0); on it npm ci shows no EBADENGINE warning (README "Node.js versions"). Slim (Debian)
# rather than Alpine: glibc, so the prebuilt native addons in the lockfile (msgpackr-extract) load.
# Pin a digest (node:24-slim@sha256:…) where builds must be reproducible.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts run in the image that holds the secrets; the runtime needs none.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The console's page templates and stylesheet, read at run time from beside the code.
COPY --from=build /app/src/console/views ./src/console/views
COPY --from=build /app/src/console/assets ./src/console/assets
# The code stays root-owned and read-only to the process, which runs as the image's `node` user.
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('node:http').get({host:'127.0.0.1',port:process.env.PORT||3000,path:'/healthz',timeout:4000},(r)=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]
CMD ["node", "dist/cli.js", "all"]
