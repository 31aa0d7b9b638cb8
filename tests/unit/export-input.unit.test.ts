import { describe, expect, it } from 'vitest';
import { listExportsQuerySchema, userExportInputSchema } from '../../lib/exports/export.contracts';

const valid = {
  exportId: '6f1c1d1e-8a9b-4c2d-9e3f-0a1b2c3d4e5f',
  userId: '0b7e4c3a-1d2e-4f5a-8b6c-7d8e9f0a1b2c',
  tenantId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
  environmentId: '2b3c4d5e-6f7a-4b9c-8d1e-2f3a4b5c6d7e',
};

function messages(input: unknown): string[] {
  const result = userExportInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe('export input validation', () => {
  it('TC-EXPORT-001: a missing user id says "User ID is required"', () => {
    expect(messages({ ...valid, userId: undefined })).toEqual(['User ID is required']);
    expect(messages({ ...valid, userId: '' })).toEqual(['User ID is required']);
    expect(messages({ ...valid, userId: '   ' })).toEqual(['User ID is required']);
  });

  it('names each missing id', () => {
    expect(messages({})).toEqual(['Export ID is required', 'User ID is required', 'Tenant ID is required', 'Environment ID is required']);
  });

  it('refuses ids that are not UUIDs, and oversized ones', () => {
    expect(messages({ ...valid, userId: 'alice@example.com' })).toEqual(['User ID must be a UUID']);
    expect(messages({ ...valid, exportId: 'x'.repeat(10_000) })).toEqual(['Export ID is too long']);
  });

  it('accepts valid input', () => {
    expect(userExportInputSchema.parse(valid)).toEqual(valid);
  });

  it('list queries bound limit and status', () => {
    expect(listExportsQuerySchema.parse({}).limit).toBe(20);
    expect(listExportsQuerySchema.safeParse({ limit: '101' }).error?.issues[0]?.message).toBe('limit must be at most 100');
    expect(listExportsQuerySchema.safeParse({ status: 'done' }).error?.issues[0]?.message).toMatch(/queued, running, completed, failed, cancelled/);
  });
});
