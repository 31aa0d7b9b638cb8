/** The demo world of SPEC §8, as plain data; seed.ts writes it idempotently. */

export const demoPassword = 'export-demo';

export const demoTenants = [
  { slug: 'acme', name: 'Acme Corp' },
  { slug: 'globex', name: 'Globex' },
] as const;

export const demoEnvironments = [
  { slug: 'production', name: 'Production' },
  { slug: 'sandbox', name: 'Sandbox' },
] as const;

export const demoAdmins = [
  { tenant: 'acme', email: 'admin@acme.test', name: 'Ada Admin', role: 'admin' },
  { tenant: 'acme', email: 'viewer@acme.test', name: 'Vic Viewer', role: 'viewer' },
  { tenant: 'globex', email: 'admin@globex.test', name: 'Gloria Admin', role: 'admin' },
] as const;

const firstNames = ['Alice', 'Bruno', 'Chen', 'Dalia', 'Emeka', 'Fatima', 'Gustav', 'Hana', 'Ivan', 'Jonas', 'Kemal', 'Lucía'];
const lastNames = ['Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Schmidt'];

export const usersPerEnvironment = 36;

/** The user with enough events that an export's progress is visible for a few seconds. */
export const bulkUser = { tenant: 'acme', environment: 'production', email: 'bulk.user@acme.example', name: 'Bulk User', events: 300_000 };

export interface DemoUser {
  email: string;
  name: string;
  createdAt: string;
  lastLoginAt: string | null;
  events: number;
}

/** Deterministic users for one environment: same input, same people, every seed. */
export function demoUsers(tenant: string, environment: string): DemoUser[] {
  const domain = environment === 'production' ? `${tenant}.example` : `${environment}.${tenant}.example`;
  const users: DemoUser[] = [];
  for (let i = 0; i < usersPerEnvironment; i++) {
    const first = firstNames[i % firstNames.length]!;
    const last = lastNames[Math.floor(i / firstNames.length) % lastNames.length]!;
    const day = ((i * 7) % 28) + 1;
    users.push({
      email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@${domain}`.normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
      name: `${first} ${last}`,
      createdAt: `2025-0${(i % 9) + 1}-${String(day).padStart(2, '0')}T09:00:00.000Z`,
      lastLoginAt: i % 5 === 0 ? null : `2026-10-${String(day).padStart(2, '0')}T12:30:00.000Z`,
      // Zero to a few thousand events: every fifth user has none, some have thousands.
      events: i % 5 === 0 ? 0 : ((i * 977) % 4000) + (i % 3 === 0 ? 1000 : 10),
    });
  }
  if (tenant === bulkUser.tenant && environment === bulkUser.environment) {
    users.push({
      email: bulkUser.email,
      name: bulkUser.name,
      createdAt: '2024-01-01T00:00:00.000Z',
      lastLoginAt: '2026-11-01T08:00:00.000Z',
      events: bulkUser.events,
    });
  }
  return users;
}
