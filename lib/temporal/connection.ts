import { Connection } from '@temporalio/client';
import type { SharedEnv } from '../env';

type TemporalEnv = Pick<SharedEnv, 'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_API_KEY'>;

/** Connection options shared by the web client and the worker (TLS and API key for Temporal Cloud). */
export function temporalConnectionOptions(env: TemporalEnv) {
  return {
    address: env.TEMPORAL_ADDRESS,
    tls: env.TEMPORAL_TLS || Boolean(env.TEMPORAL_API_KEY) ? {} : undefined,
    apiKey: env.TEMPORAL_API_KEY,
    // Fail a dead server fast instead of waiting on the gRPC default.
    connectTimeout: '5s',
  };
}

export function connectTemporal(env: TemporalEnv): Promise<Connection> {
  return Connection.connect(temporalConnectionOptions(env));
}
