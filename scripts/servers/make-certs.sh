#!/usr/bin/env bash
# Makes a test CA and a server certificate for localhost, 127.0.0.1 and ::1
# (once; reused while present) in $WASMTP_TEST_DIR/ca.
set -euo pipefail
root=${WASMTP_TEST_DIR:-/tmp/wasmtp-test}
ca=$root/ca
[ -f "$ca/server-chain.pem" ] && exit 0
mkdir -p "$ca"
chmod 755 "$root"
cd "$ca"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=wasmtp test CA" \
  -keyout ca-key.pem -out ca.pem -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server-key.pem -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 -extfile server.ext -out server.pem 2>/dev/null
cat server.pem ca.pem > server-chain.pem
chmod 644 ca.pem server.pem server-chain.pem
chmod 640 server-key.pem ca-key.pem
chgrp postfix server-key.pem 2>/dev/null || true
