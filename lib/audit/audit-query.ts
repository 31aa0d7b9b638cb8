import type { z } from 'zod';
import { AppError } from '../errors';
import { auditActions } from './audit.contracts';

/** What to do about each filter, for the error's hint: the generic zod hint names no values. */
const hints: Record<string, string> = {
  action: `Use one of: ${auditActions.join(', ')}; or leave action out for every action.`,
  from: 'Send from and to as ISO 8601: a UTC date (2026-11-01) or a date-time with an offset (2026-11-01T09:30:00Z). The range is half-open (from ≤ time < to), so from must be before to.',
  to: 'Send from and to as ISO 8601: a UTC date (2026-11-01) or a date-time with an offset (2026-11-01T09:30:00Z). The range is half-open (from ≤ time < to), so from must be before to.',
  adminId: "Pass an admin's id (a UUID, as entries' admin.id show it), or leave adminId out.",
  userId: "Pass a user's id (a UUID), or leave userId out; userEmail filters by email instead.",
  userEmail: "Pass the user's email address, or leave userEmail out.",
};

/**
 * Parses the audit routes' query string. Unlike withRoute's generic parse, a bad filter's
 * hint says what is accepted (the list of actions, the date formats).
 */
export function parseAuditQuery<S extends z.ZodType>(schema: S, searchParams: URLSearchParams): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(searchParams));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const details = issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  const field = issues.map((issue) => String(issue.path[0] ?? '')).find((name) => name in hints);
  throw new AppError(
    'validation',
    details.join('; '),
    field ? hints[field]! : 'Fix the listed fields and try again; see /api/openapi.json for the expected shapes.',
  );
}
