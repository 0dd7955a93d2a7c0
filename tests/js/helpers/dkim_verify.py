"""Verifies a DKIM signature with dkimpy (an independent implementation).

Usage: dkim_verify.py SELECTOR._domainkey.DOMAIN "v=DKIM1; k=rsa; p=..." < message
Prints "pass" or "fail: ..." and exits 0 / 1. The DNS lookup is answered
with the given record, so no network is needed.
"""
import sys

import dkim


def main():
    name, record = sys.argv[1], sys.argv[2]
    message = sys.stdin.buffer.read()

    def dns(qname, timeout=5):
        wanted = qname.decode() if isinstance(qname, bytes) else qname
        return record.encode() if wanted.rstrip(".") == name else None

    verifier = dkim.DKIM(message)
    try:
        ok = verifier.verify(dnsfunc=dns)
    except dkim.DKIMException as e:
        print(f"fail: {e}")
        return 1
    print("pass" if ok else "fail: signature did not verify")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
