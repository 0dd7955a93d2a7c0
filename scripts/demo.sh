#!/usr/bin/env bash
# The main job on a fresh machine: set up, build the wasm core, start a
# private Postfix on 127.0.0.1, send one message through it with STARTTLS and
# SASL authentication, print the transcript and where the delivered copy is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-wasm.sh
bash scripts/servers/postfix.sh start
trap 'bash scripts/servers/postfix.sh stop' EXIT
node scripts/demo.js
