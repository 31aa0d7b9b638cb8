import { Connection, type TLSConfig } from '@temporalio/client';
import type { SharedEnv } from '../env';
import { readPemFile } from '../pem-files';

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
    // Read at each connect, so a rotated certificate (a remounted secret) is picked up on reconnect.
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
    throw explainConnectError(error, env);
  }
}

/**
 * A TLS or authentication failure says which setting to check; gRPC's own message
 * ("No connection established", a bare OpenSSL reason) does not. Other errors pass unchanged.
 */
export function explainConnectError(error: unknown, env: TemporalEnv): unknown {
  const message = error instanceof Error ? `${error.message} ${error.cause instanceof Error ? error.cause.message : ''}` : String(error);
  const at = `Temporal at ${env.TEMPORAL_ADDRESS}`;
  let hint: string | undefined;
  if (/certificate verify failed|unknown ca|self[- ]signed|unable to get (local )?issuer|UnknownIssuer|invalid peer certificate/i.test(message)) {
    hint = `${at} presented a certificate this process does not trust: set TEMPORAL_TLS_CA_PATH to the CA that signed it`;
  } else if (/hostname|altname|NotValidForName|does not match|subject alternative/i.test(message)) {
    hint = `${at} presented a certificate for another name: set TEMPORAL_TLS_SERVER_NAME to a name the certificate carries`;
  } else if (/certificate required|handshake failure|bad certificate|alert/i.test(message)) {
    hint = `${at} refused the TLS handshake: it wants a client certificate its CA trusts (TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH)`;
  } else if (/wrong version number|packet length too long|http2.*frame|InvalidContentType|CorruptMessage/i.test(message)) {
    hint = `${at} does not speak TLS the way it is configured here: unset TEMPORAL_TLS (and the TLS paths) for a plaintext server, or check the port`;
  } else if (/PERMISSION_DENIED|UNAUTHENTICATED|Request unauthorized|unexpected authorization token/i.test(message)) {
    hint = `${at} refused the credentials: check TEMPORAL_API_KEY (its permissions and expiry)`;
  }
  if (!hint) return error;
  return new Error(`${hint}. (${message.trim()})`, { cause: error });
}
