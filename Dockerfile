# wirefeed: multi-stage build on one Debian Node 20 base.
# Build stage compiles better-sqlite3 (install scripts kept) and the TypeScript; the runtime
# stage gets production node_modules + dist only and runs as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# glibc allocator: big buffers (fetched bodies, decompression output) are mmapped and go back to
# the system when freed, and at most two arenas hold small allocations (README "Allocator").
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    WIREFEED_DATA_DIR=/data \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY data/demo ./data/demo
# `wirefeed <command>` on the PATH: the compiled CLI (npx would try to build it, and the runtime
# stage has no TypeScript). Same WIREFEED_DATA_DIR as the server, so it works on the live data.
RUN chmod +x dist/src/cli/main.js \
 && ln -s /app/dist/src/cli/main.js /usr/local/bin/wirefeed \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
