#!/usr/bin/env bash
# Installs what building and testing wasmtp needs on a fresh Debian machine,
# skipping whatever is already there: clang/llvm (ring's C code for wasm32),
# Postfix with Cyrus SASL and openssl (test server), Chromium (browser test), the wasm32 Rust target,
# wasm-bindgen-cli matching the pinned crate, the npm packages, and dkimpy.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v llvm-ar >/dev/null || need_apt+=(llvm)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v postfix >/dev/null || need_apt+=(postfix)
command -v saslpasswd2 >/dev/null || need_apt+=(sasl2-bin)
[ -e /usr/lib/x86_64-linux-gnu/sasl2/libcrammd5.so ] || need_apt+=(libsasl2-modules)
[ -e /usr/lib/x86_64-linux-gnu/sasl2/libsasldb.so ] || need_apt+=(libsasl2-modules-db)
command -v chromium >/dev/null || need_apt+=(chromium)   # the settings page's browser test
command -v script >/dev/null || need_apt+=(bsdutils)     # a pseudo-terminal for the CLI progress-bar test
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

bindgen_version=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  cargo install -q wasm-bindgen-cli --version "$bindgen_version"
fi

npm install --no-audit --no-fund --silent

# dkimpy (and PyNaCl for Ed25519) verifies DKIM signatures in the tests.
python3 -c 'import dkim, nacl' 2>/dev/null || python3 -m pip install --quiet dkimpy pynacl
