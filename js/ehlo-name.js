// The EHLO name when options.name is not set: this machine's name when it
// is fully qualified, else the address literal [127.0.0.1] (RFC 5321 §4.1.4).

export function ehloName(hostname) {
  return typeof hostname === 'string' && hostname.includes('.') ? hostname : '[127.0.0.1]';
}
