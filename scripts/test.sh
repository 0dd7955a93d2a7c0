#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh), builds, and runs every test:
# the Rust core natively (unit, scripted-server integration, doc tests, the
# example's build), the TypeScript types, then the JS tests against a private
# Postfix and in-process smtp-server instances on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-wasm.sh
cargo test --quiet --all-targets
cargo test --quiet --doc
npx tsc -p tests/types
bash scripts/servers/postfix.sh start
trap 'bash scripts/servers/postfix.sh stop' EXIT
npm test
