import { Connection, type TLSConfig } from '@temporalio/client';
import type { SharedEnv } from '../env';
import { readPemFile } from '../pem-files';
import { tlsHandshakeProblem } from './tls-probe';

type TemporalEnv = Pick<
  SharedEnv,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/**
 * Connection options shared by the web client (Connection) and the worker (NativeConnection):
 * TLS with a private CA, a client certificate (mTLS) and a server name override, and an API
 * key (Temporal Cloud, or a JWT for a self-hosted server's authorizer).
 */
export function temporalConnectionOptions(env: TemporalEnv) {
  return {
    address: env.TEMPORAL_ADDRESS,
    tls: temporalTls(env),
    apiKey: env.TEMPORAL_API_KEY,
    // Fail a dead server fast instead of waiting on the gRPC default.
    connectTimeout: '5s',
  };
}

function temporalTls(env: TemporalEnv): TLSConfig | undefined {
  const wanted = env.TEMPORAL_TLS || [env.TEMPORAL_TLS_CA_PATH, env.TEMPORAL_TLS_CERT_PATH, env.TEMPORAL_TLS_SERVER_NAME, env.TEMPORAL_API_KEY].some(Boolean);
  if (!wanted) return undefined;
  return {
    serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
    // Read when a connection is made, not cached: a new connection uses a renewed certificate.
    serverRootCACertificate: env.TEMPORAL_TLS_CA_PATH ? pem(env.TEMPORAL_TLS_CA_PATH, 'certificate') : undefined,
    clientCertPair:
      env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
        ? { crt: pem(env.TEMPORAL_TLS_CERT_PATH, 'certificate'), key: pem(env.TEMPORAL_TLS_KEY_PATH, 'private key') }
        : undefined,
  };
}

function pem(path: string, kind: 'certificate' | 'private key'): Buffer {
  const read = readPemFile(path, kind);
  if ('problem' in read) throw new Error(`Temporal TLS ${kind} ${read.problem}`);
  return Buffer.from(read.pem);
}

export async function connectTemporal(env: TemporalEnv): Promise<Connection> {
  try {
    return await Connection.connect(temporalConnectionOptions(env));
  } catch (error) {
    throw await explainConnectError(error, env);
  }
}

// First match wins. An "alert" is the server refusing us; the rest are this side refusing the server.
const hints: Array<[RegExp, string]> = [
  [
    /alert (number \d+ )?\(?(unknown ca|certificate required|bad certificate|certificate unknown|handshake failure)|ALERT_(UNKNOWN_CA|CERTIFICATE_REQUIRED|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)/i,
    'refused the TLS handshake: it wants a client certificate signed by a CA it trusts (TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH)',
  ],
  [
    /certificate verify failed|unable to verify|UNABLE_TO_GET_ISSUER|SELF_SIGNED|self[- ]signed|UnknownIssuer/i,
    'presented a certificate this process does not trust: set TEMPORAL_TLS_CA_PATH to the CA that signed it',
  ],
  [
    /ALTNAME|hostname|NotValidForName|does not match/i,
    'presented a certificate for another name: set TEMPORAL_TLS_SERVER_NAME to a name the certificate carries',
  ],
  [
    /wrong version number|packet length too long|InvalidContentType|CorruptMessage/i,
    'does not speak TLS: unset TEMPORAL_TLS and the TLS paths for a plaintext server, or check the port',
  ],
  [
    /PERMISSION_DENIED|UNAUTHENTICATED|Request unauthorized|authorization token|token is (malformed|unverifiable|expired)/i,
    'refused the credentials: check TEMPORAL_API_KEY (its signature, permissions and expiry)',
  ],
];

/**
 * A TLS or credential failure, rewritten to say which setting to check; gRPC's own message
 * ("Failed to connect before the deadline") does not. Other errors pass unchanged.
 */
export async function explainConnectError(error: unknown, env: TemporalEnv): Promise<unknown> {
  const tls = temporalTls(env);
  const handshake = tls ? await tlsHandshakeProblem(env.TEMPORAL_ADDRESS, tls) : undefined;
  const reported = error instanceof Error ? [error.message, error.cause instanceof Error ? error.cause.message : ''].join(' ').trim() : String(error);
  const detail = handshake ? `${handshake}; the client reported: ${reported}` : reported;
  const hint = hints.find(([pattern]) => pattern.test(detail))?.[1];
  if (!hint) return error;
  return new Error(`Temporal at ${env.TEMPORAL_ADDRESS} ${hint}. (${detail})`, { cause: error });
}
