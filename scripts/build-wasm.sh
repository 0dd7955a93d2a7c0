#!/usr/bin/env bash
# Builds the wasm core into js/wasm/: cargo (release, wasm32), wasm-bindgen
# (--target web: the same glue loads in Node, Deno, Bun, Workers and
# browsers), then wasm-opt -Oz from the npm binaryen package when present.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --lib --target wasm32-unknown-unknown
wasm-bindgen --target web --out-dir js/wasm --out-name wasmtp \
  target/wasm32-unknown-unknown/release/wasmtp.wasm
if [ -x node_modules/.bin/wasm-opt ]; then
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    js/wasm/wasmtp_bg.wasm -o js/wasm/wasmtp_bg.wasm
fi
echo "js/wasm/wasmtp_bg.wasm: $(stat -c %s js/wasm/wasmtp_bg.wasm) bytes, $(gzip -9c js/wasm/wasmtp_bg.wasm | wc -c) gzipped"
