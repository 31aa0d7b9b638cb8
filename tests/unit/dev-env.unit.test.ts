import { describe, expect, it } from 'vitest';
import { devSecretPrefix } from '../../lib/env';
import { appEnv } from '../../scripts/lib/app-env';

// Issue 9 §5: the published dev secret used to sign sessions even for real services.
describe('npm run dev auth defaults', () => {
  it('uses the dev secret only when every service is embedded', () => {
    expect(appEnv({}, 'http://localhost:3000').NEXTAUTH_SECRET?.startsWith(devSecretPrefix)).toBe(true);
  });

  it('stops when an external service is configured without NEXTAUTH_SECRET, naming it', () => {
    expect(() => appEnv({ DATABASE_URL: 'postgres://app@db.internal/exports' }, 'http://localhost:3000')).toThrow(/NEXTAUTH_SECRET.*DATABASE_URL/);
    expect(() => appEnv({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', S3_ENDPOINT: 'https://s3.example' }, 'http://localhost:3000')).toThrow(
      /TEMPORAL_ADDRESS, S3_ENDPOINT/,
    );
  });

  it('keeps an explicit secret with external services', () => {
    expect(appEnv({ DATABASE_URL: 'postgres://x@db/y', NEXTAUTH_SECRET: 's'.repeat(40) }, 'http://localhost:3000').NEXTAUTH_SECRET).toBe('s'.repeat(40));
  });
});
