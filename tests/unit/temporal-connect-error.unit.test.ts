import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import { explainConnectError } from '../../lib/temporal/connection';

const env = (address: string) =>
  parseEnv(sharedEnvSchema, { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', TEMPORAL_ADDRESS: address, S3_BUCKET: 'exports', TEMPORAL_TLS: 'true' });

describe('explainConnectError', () => {
  it('passes an error that is not about TLS or credentials through unchanged (nothing listening)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const original = new Error('Failed to connect before the deadline');
    expect(await explainConnectError(original, env(`127.0.0.1:${port}`))).toBe(original);
  });

  it('names TEMPORAL_API_KEY when the server refused the credentials', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const refused = new Error('Failed to connect to Temporal server', { cause: new Error('7 PERMISSION_DENIED: Request unauthorized.') });
      const explained = await explainConnectError(refused, env(`127.0.0.1:${port}`));
      expect(explained).toBeInstanceOf(Error);
      expect((explained as Error).message).toMatch(/^Temporal at 127\.0\.0\.1:\d+ refused the credentials: check TEMPORAL_API_KEY/);
      expect((explained as Error).cause).toBe(refused);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
