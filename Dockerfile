# Switchboard app image: the web process and the Temporal worker (`web` | `worker` | `migrate` | `seed`).
FROM node:20.19
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies are not needed at run time; tsx (a runtime dependency) runs the TypeScript directly, and
# typescript is one too: `switchboard flows validate` type-checks the call flows (test/e2e/image-cli.test.ts).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
# The recordings volume (docker-compose) is mounted here: created owned by the image's user, so a new named volume
# starts writable by it.
RUN mkdir -p /app/data/recordings && chown -R node:node /app/data
USER node
EXPOSE 3978
ENTRYPOINT ["node", "--import", "tsx", "cli/main.ts"]
CMD ["web"]
