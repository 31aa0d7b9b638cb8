import { createServer } from 'node:net';

/** Free ports on 127.0.0.1, found by binding them for a moment. */

/**
 * A free TCP port on 127.0.0.1 (for tests that need several stacks side by side), picked below
 * Linux's ephemeral range: a port the kernel hands out meanwhile (an outgoing connection's
 * source port, or a port the Temporal dev server picks for its own services with bind(0))
 * can then never be the one chosen here. CI once saw a dev server die at start-up beside
 * two other stacks starting.
 */
export async function findFreePort(): Promise<number> {
  return findFreePortBetween(10_000, 19_999);
}

export async function isPortFree(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

export function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free port in [min, max], tried at random. For ports that must stay out of the kernel's
 * ephemeral range (32768 and up on Linux) or below a limit of their own.
 */
export async function findFreePortBetween(min: number, max: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port found between ${min} and ${max} on 127.0.0.1`);
}
