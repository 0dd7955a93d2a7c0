// probe(host, options): does the plug-in guide's trial and error for the
// user. Tries the usual ports in parallel, each with the TLS type its port
// suggests and then the other one when the failure points at the TLS type;
// records what each endpoint is (greeting, capabilities, TLS version,
// cipher, certificate and whether it verifies, AUTH mechanisms); then, given
// credentials, tries the mechanisms in the guide's order on the best
// endpoint, never sending a password unencrypted unless allowed.

const DEFAULT_PORTS = [465, 587, 25, 2525];
const PROBE_TIMEOUTS = { connect: 5000, greeting: 5000, command: 10000, data: 10000, idle: 1000 };
const MECHANISMS = ['CRAM-MD5', 'LOGIN', 'PLAIN'];

/** The TLS type to try first on a port, and the one to try when that points at the TLS type. */
function tlsOrder(port) {
  return port === 465 ? ['implicit', 'auto'] : ['auto', 'implicit'];
}

/** The server's greeting: its first reply, before the client said anything. */
function greetingOf(transcript = []) {
  const lines = [];
  for (const line of transcript) {
    if (line.startsWith('C: ')) break;
    if (line.startsWith('S: ')) lines.push(line.slice(3));
  }
  return lines.length ? lines.join('\n') : null;
}

function isCertificateError(err) {
  return err?.code === 'ETLS' && err.stage === 'tls' && (err.suspects.includes('tlsOptions.ca') || err.suspects.includes('tlsOptions.servername'));
}

function pointsAtTlsType(err) {
  return err && !err.fromServer && err.suspects.includes('tls') && err.suspects.includes('port');
}

export function makeProbe(createTransport) {
  async function attempt(host, port, tls, base) {
    const transport = createTransport({ ...base, host, port, tls, transcript: true });
    try {
      const info = await transport.verify();
      const used = info.tls ? (tls === 'implicit' ? 'implicit' : 'starttls') : 'none';
      return { port, tls: used, ok: true, error: null, greeting: greetingOf(info.transcript), capabilities: info.capabilities, tlsInfo: info.tls, authMechanisms: info.capabilities.auth };
    } catch (err) {
      if (!err || typeof err.code !== 'string') throw err;
      return { port, tls, ok: false, error: err, greeting: greetingOf(err.transcript), capabilities: null, tlsInfo: null, authMechanisms: [] };
    }
  }

  /** One port: the likely TLS type, then the other when the failure says so; certificate details even when it does not verify. */
  async function probePort(host, port, base) {
    const [first, second] = tlsOrder(port);
    let result = await attempt(host, port, first, base);
    if (!result.ok && pointsAtTlsType(result.error)) {
      const other = await attempt(host, port, second, base);
      if (other.ok || other.error?.fromServer || isCertificateError(other.error)) result = other;
    }
    if (result.tlsInfo) result.tlsInfo = { ...result.tlsInfo, verified: true };
    if (!result.ok && isCertificateError(result.error)) {
      // Connect again without verification, only to report what is there.
      const insecure = await attempt(host, port, result.tls, { ...base, tlsOptions: { ...base.tlsOptions, rejectUnauthorized: false } });
      if (insecure.ok) {
        return { ...insecure, ok: false, error: result.error, tlsInfo: { ...insecure.tlsInfo, verified: false } };
      }
    }
    return result;
  }

  /** Tries each mechanism the server offers, in the guide's order, until one works. */
  async function tryAuth(host, endpoint, base, { user, pass, accessToken }) {
    const offered = endpoint.authMechanisms ?? [];
    const order = accessToken ? ['XOAUTH2'] : MECHANISMS;
    const tried = [];
    for (const method of order.filter((m) => offered.includes(m))) {
      const auth = method === 'XOAUTH2' ? { method, user, accessToken } : { method, user, pass };
      try {
        await createTransport({ ...base, host, port: endpoint.port, tls: endpoint.tls, auth }).verify();
        return { ok: true, method, tried: [...tried, { method, error: null }] };
      } catch (err) {
        if (!err || typeof err.code !== 'string') throw err;
        tried.push({ method, error: err });
        // Only an authentication refusal makes another mechanism worth trying.
        if (err.code !== 'EAUTH') break;
      }
    }
    const reason = tried.length ? null : `the server offers none of ${order.join(', ')} (it offers ${offered.join(', ') || 'no AUTH'})`;
    return { ok: false, method: null, tried, reason };
  }

  /** Best endpoint first: verified TLS, implicit before STARTTLS, submission ports before 25. */
  function rank(endpoint) {
    const tls = endpoint.tls === 'implicit' ? 0 : endpoint.tls === 'starttls' ? 1 : 3;
    const port = [465, 587].includes(endpoint.port) ? 0 : 1;
    return tls * 2 + port;
  }

  return async function probe(host, options = {}) {
    if (typeof host !== 'string' || !host.trim()) throw new TypeError('probe(host): host must be a non-empty string');
    const { user, pass, accessToken, ports = [], timeouts = {}, tlsOptions, allowInsecureAuth = false, name, relay } = options;
    const base = { timeouts: { ...PROBE_TIMEOUTS, ...timeouts }, ...(tlsOptions ? { tlsOptions } : {}), ...(name ? { name } : {}), ...(relay ? { relay } : {}), allowInsecureAuth };
    const all = [...new Set([...DEFAULT_PORTS, ...ports.map(Number)])];
    const endpoints = await Promise.all(all.map((port) => probePort(host, port, base)));
    const usable = endpoints.filter((e) => e.ok).sort((a, b) => rank(a) - rank(b));

    let recommended = null;
    if (usable.length) {
      const chosen = [];
      if (user) {
        for (const endpoint of usable) {
          if (endpoint.tls === 'none' && !allowInsecureAuth) {
            endpoint.authResult = { ok: false, method: null, tried: [], reason: 'not tried: the connection is not encrypted (set allowInsecureAuth to allow it)' };
            continue;
          }
          endpoint.authResult = await tryAuth(host, endpoint, base, { user, pass, accessToken });
          if (endpoint.authResult.ok) {
            chosen.push(endpoint);
            break;
          }
        }
      } else {
        chosen.push(usable[0]);
      }
      const best = chosen[0];
      if (best) {
        recommended = { host, port: best.port, tls: best.tls };
        if (best.authResult?.ok) recommended.auth = { method: best.authResult.method, user };
        if (tlsOptions?.ca) recommended.tlsOptions = { ca: tlsOptions.ca };
      }
    }
    for (const e of endpoints) e.authResult ??= null;
    return { recommended, endpoints, explanation: explain(endpoints, recommended, Boolean(user)) };
  };
}

/** What the results prove, in the guide's words. */
function explain(endpoints, recommended, withCredentials) {
  const lines = [];
  for (const e of endpoints) {
    if (e.ok) {
      const tls = e.tlsInfo ? `${e.tlsInfo.version}, certificate ${e.tlsInfo.verified ? 'verified' : 'NOT verified'}` : 'no TLS';
      lines.push(`port ${e.port}: works with TLS type ${e.tls} (${tls}); AUTH ${e.authMechanisms.join(' ') || 'not offered'}.`);
    } else if (e.error) {
      lines.push(`port ${e.port}: ${e.error.hint}`);
    }
    if (e.authResult && !e.authResult.ok) {
      const why = e.authResult.reason ?? e.authResult.tried.map((t) => `${t.method}: ${t.error.message}`).join('; ');
      lines.push(`port ${e.port}: authentication failed (${why}).`);
    }
  }
  if (!recommended) {
    lines.push(endpoints.some((e) => e.ok)
      ? (withCredentials ? 'The server is reachable but no authentication type worked: check the user name and password.' : 'No endpoint verified its certificate.')
      : endpoints.some((e) => e.error?.fromServer)
        ? 'The server answered but refused: host, port and TLS type are right where it answered; see its reply.'
        : 'Nothing worked: a refused connection points at the host or port; a TLS failure or time-out points at the port or TLS type.');
  }
  return lines;
}
