/**
 * Who may talk to the emulator. It listens on loopback, but a web page in the
 * user's browser can still reach loopback: by DNS rebinding (attacker.example
 * re-resolving to 127.0.0.1, so the request carries `Host: attacker.example`)
 * or by a plain cross-site POST (CSRF; a JSON body with a text/plain type needs
 * no preflight). So a request is served only when its Host is a loopback name
 * or address (or the address `--host` bound), and it carries no sign of coming
 * from a web page of another origin. The emulator never sends CORS headers, so
 * a browser never lets such a page read an answer either.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface RequestGuard {
  /** Why the request is refused, or undefined when it may be served. */
  refuse(headers: IncomingHttpHeaders): string | undefined;
}

/** `bound` is the address the server listens on (`--host`). */
export function requestGuard(bound: string): RequestGuard {
  const allowed = allowedHosts(bound);
  return {
    refuse(headers) {
      const host = hostName(headers.host);
      if (host === undefined) return 'the request has no Host header';
      if (!allowed(host)) return `Host '${headers.host}' is not this machine: the emulator answers only requests addressed to localhost or ${bound}`;
      const origin = headers.origin;
      // The emulator serves no pages, so only its own origin (already checked to be loopback) is not foreign.
      if (origin !== undefined && !sameOrigin(origin, headers.host!)) return `requests from web pages (Origin '${origin}') are refused`;
      const site = headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return `requests from web pages (Sec-Fetch-Site: ${site}) are refused`;
      return undefined;
    },
  };
}

/** The host part of a Host header, lower-cased, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : undefined;
  }
  const colon = value.lastIndexOf(':');
  // A bare IPv6 address has several colons and no port.
  if (colon >= 0 && value.indexOf(':') === colon) return value.slice(0, colon);
  return value;
}

function allowedHosts(bound: string): (host: string) => boolean {
  const boundHost = hostName(bound.includes(':') && !bound.startsWith('[') ? `[${bound}]` : bound) ?? bound;
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  return (host) => {
    const name = host.endsWith('.') ? host.slice(0, -1) : host;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    if (isLoopbackAddress(name) || name === boundHost) return true;
    // Bound to every interface, the machine is reached by its own addresses; an IP literal cannot be rebound.
    return wildcard && isIP(name) !== 0 && ownAddresses().has(name);
  };
}

export function isLoopbackAddress(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) {
    const lower = host.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || (lower.startsWith('::ffff:') && isLoopbackAddress(lower.slice(7)));
  }
  return false;
}

function ownAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const entry of list ?? []) addresses.add(entry.address.toLowerCase());
  return addresses;
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && url.host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}
