import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

/**
 * Why a TLS handshake with `address` fails with these settings, or undefined when it
 * succeeds (or the failure is not TLS's: refused, unreachable). Run only after a connect
 * failed: gRPC reports a bad CA as "Failed to connect before the deadline", without the
 * reason, so the web app repeats the handshake with Node's TLS, which says what was wrong.
 */
export function tlsHandshakeProblem(address: string, tls: TLSConfig, timeoutMs = 3_000): Promise<string | undefined> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const servername = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port: Number(address.slice(separator + 1)),
      ...(servername ? { servername } : {}),
      ...(tls.serverRootCACertificate ? { ca: Buffer.from(tls.serverRootCACertificate) } : {}),
      ...(tls.clientCertPair ? { cert: Buffer.from(tls.clientCertPair.crt), key: Buffer.from(tls.clientCertPair.key) } : {}),
      ALPNProtocols: ['h2'],
    });
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    // In TLS 1.3 the server judges the client certificate after the client's side is done:
    // a refusal arrives as an alert instead of the server's first HTTP/2 frame.
    socket.once('secureConnect', () => socket.once('data', () => done(undefined)));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      const isTls = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO|HOSTNAME|ALTNAME/i.test(code) || /alert|certificate|handshake/i.test(error.message);
      done(isTls ? `${code ? `${code}: ` : ''}${error.message}` : undefined);
    });
  });
}
