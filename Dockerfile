# Production image: the App, git, and the coding-agent CLIs okstra can drive.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# bubblewrap confines every worker and repository command (SPEC §14.1; container flags in docs/security.md).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates tini bubblewrap \
  && rm -rf /var/lib/apt/lists/*
# The agent CLIs run as workers (SPEC §1 providers claude-code, codex, gemini-cli).
# Pinned to the devDependency versions the end-to-end tests drive (test/workers/real-cli-*.test.ts).
RUN npm install -g @anthropic-ai/claude-code@2.1.328 @openai/codex@0.169.0 @google/gemini-cli@0.61.0 && npm cache clean --force
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
COPY prompts ./prompts
COPY agent-settings ./agent-settings
COPY fixtures ./fixtures
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
# `npm start` runs the Probot server; `node bin/okstra.js worker` runs a queue worker (REDIS_URL).
CMD ["npm", "start"]
