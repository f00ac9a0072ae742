# Switchboard app image: the web process and the Temporal worker (`web` | `worker` | `migrate` | `seed`).
FROM node:20
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies are not needed at run time; tsx (a runtime dependency) runs the TypeScript directly.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
USER node
EXPOSE 3978
ENTRYPOINT ["node", "--import", "tsx", "src/cli/main.ts"]
CMD ["web"]
