#!/usr/bin/env bash
# Starts (or stops) a private Postfix instance on 127.0.0.1 for the tests:
#   10025  plain SMTP, no TLS offered, AUTH allowed without TLS
#   10587  STARTTLS required, AUTH only after TLS
#   10465  implicit TLS (wrapper mode)
# SASL: Cyrus sasldb with PLAIN, LOGIN and CRAM-MD5; user alice / alice-secret.
# Triggers: RCPT reject@ -> 550, tempfail@ -> 450; MAIL FROM badsender@ -> 553.
# Each delivered copy is written to $WASMTP_TEST_DIR/postfix/mail/<queue id>-<recipient>.eml.
# A CA made here signs the server certificate: $WASMTP_TEST_DIR/ca/ca.pem.
# Usage: postfix.sh start|stop
set -euo pipefail
root=${WASMTP_TEST_DIR:-/tmp/wasmtp-test}
dir=$root/postfix
cmd=${1:-start}

if [ "$cmd" = stop ]; then
  [ -f "$dir/main.cf" ] && postfix -c "$dir" stop 2>/dev/null || true
  exit 0
fi

bash "$(dirname "$0")/make-certs.sh"
[ -f "$dir/main.cf" ] && postfix -c "$dir" stop 2>/dev/null || true
rm -rf "$dir"
mkdir -p "$dir/queue" "$dir/data" "$dir/mail" "$dir/sasl"
chmod 755 "$root" "$dir"
chown postfix:postfix "$dir/data" && chmod 700 "$dir/data"
chown nobody:nogroup "$dir/mail" && chmod 755 "$dir/mail"

cat > "$dir/deliver.sh" <<DELIVER
#!/bin/sh
# Called by the pipe transport as nobody: \$1 queue id, \$2 recipient.
cat > "$dir/mail/\$1-\$2.eml.tmp" && mv "$dir/mail/\$1-\$2.eml.tmp" "$dir/mail/\$1-\$2.eml"
DELIVER
chmod 755 "$dir/deliver.sh"

cat > "$dir/recipient_access" <<'MAP'
/^reject@/      550 5.1.1 No such user here
/^tempfail@/    450 4.2.0 Mailbox busy, try later
MAP
cat > "$dir/sender_access" <<'MAP'
/^badsender@/   553 5.7.1 Sender address rejected: not owned by user
MAP

cat > "$dir/main.cf" <<MAIN
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.wasmtp.test
mydomain = wasmtp.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
always_add_missing_headers = no
default_transport = filedrop
relay_transport = filedrop
filedrop_destination_recipient_limit = 1
smtpd_delay_reject = no
smtpd_sender_restrictions = check_sender_access regexp:$dir/sender_access
smtpd_recipient_restrictions = check_recipient_access regexp:$dir/recipient_access
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $dir/sasl
smtpd_sasl_local_domain = wasmtp.test
smtpd_sasl_auth_enable = yes
smtpd_tls_chain_files = $root/ca/server-key.pem, $root/ca/server-chain.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
message_size_limit = 20480000
MAIN

cat > "$dir/sasl/smtpd.conf" <<SASL
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN CRAM-MD5
sasldb_path: $dir/sasldb2
SASL
printf %s alice-secret | saslpasswd2 -f "$dir/sasldb2" -p -c -u wasmtp.test alice
chown root:postfix "$dir/sasldb2" && chmod 640 "$dir/sasldb2"

# The stock services, minus the public smtpd, plus ours.
grep -v '^smtp      inet' /usr/share/postfix/master.cf.dist > "$dir/master.cf"
cat >> "$dir/master.cf" <<MASTER
127.0.0.1:10025 inet n - n - - smtpd
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
127.0.0.1:10587 inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
127.0.0.1:10465 inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
filedrop  unix  -       n       n       -       -       pipe
  flags=q user=nobody argv=$dir/deliver.sh \${queue_id} \${recipient}
MASTER

postfix -c "$dir" check
postfix -c "$dir" start
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/10465) 2>/dev/null; then break; fi
  sleep 0.2
done
echo "postfix up: plain 10025, starttls 10587, implicit 10465; mail in $dir/mail"
