import { peerHeader } from './front-door-headers.mjs';

export { peerHeader };

/**
 * The client's network address, as this server can know it. The custom server
 * (server.mjs) stamps the socket's peer address into `x-export-console-peer`, replacing
 * any copy the client sent. `X-Forwarded-For` is believed only for the number of proxy
 * hops an operator configured (TRUSTED_PROXY_HOPS), and then read from the right: each
 * trusted proxy appends the address it saw, so entries further left are the client's own
 * words.
 */
export function clientAddress(headers: Headers, trustedProxyHops: number): string {
  const peer = headers.get(peerHeader)?.trim() || 'unknown';
  if (trustedProxyHops <= 0) return peer;
  const forwarded = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // [client?, …, proxy n-1] + peer (proxy n): the client is `hops` places left of the peer.
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)] ?? peer;
}

/** Who made a request, for audit rows: address and (truncated) user agent. */
export interface RequestOrigin {
  clientAddress: string;
  userAgent: string | null;
}

export function requestOrigin(headers: Headers, trustedProxyHops: number): RequestOrigin {
  return { clientAddress: clientAddress(headers, trustedProxyHops), userAgent: headers.get('user-agent')?.slice(0, 512) ?? null };
}
