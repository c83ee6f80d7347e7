#!/usr/bin/env bash
# Installs the pinned pnpm (a fresh machine has only Node and npm) and the
# workspace dependencies from the lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION with npm" >&2
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >&2
fi
# pnpm must not try to switch itself to another version (it cannot verify the
# download here); packageManager names exactly the version installed above.
export COREPACK_ENABLE_STRICT=0
pnpm install --frozen-lockfile --config.confirmModulesPurge=false >&2
