import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../lib/exports/formats/csv/profile-csv';

/** profile.csv of a fixed user, pinned by the hash the code wrote before the format seam. */
const fixtureUser = {
  id: '1d0c3a52-9f1e-4c1b-8a7e-0000000000a1',
  email: '=pinned@example.test',
  name: 'Pinned, "Fixture"\nUser',
  created_at: new Date('2025-06-07T08:09:10.011Z'),
  last_login_at: null,
};

describe('csv format: profile bytes', () => {
  it('are unchanged', () => {
    const bytes = Buffer.from(profileCsv(fixtureUser), 'utf8');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('14fa63098e568fe5f21bbea1965804e7aab9b5391583aa9b3d9bb32de726b92e');
  });
});
