import { z } from 'zod';

/** Input and result of the health workflow; shared by the client, worker and workflow. */
export interface HealthCheckInput {
  /** Unique per run so probes never collide in S3. */
  probeId: string;
}

export interface HealthCheckResult {
  database: { ok: true; serverVersion: string };
  storage: { ok: true; roundTripBytes: number };
}

const check = z.object({ ok: z.boolean() });

/** GET /api/health as a signed-in admin gets it (the header banner polls it); OpenAPI publishes it. */
export const healthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ database: check, temporal: check, storage: check, worker: z.object({ ok: z.boolean(), lastSeenAt: z.iso.datetime().nullable() }) }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** GET /api/health/live: the process answers; no dependency is asked. */
export const livenessSchema = z.object({ status: z.literal('ok') });

/**
 * GET /api/health/ready: 200 when Postgres and Temporal answer, else 503. Like the anonymous
 * /api/health it says only whether: which dependency failed is for the signed-in report
 * and the worker's private /readyz.
 */
export const readinessSchema = z.object({ status: z.enum(['ready', 'not_ready']) });
export type Readiness = z.infer<typeof readinessSchema>;
