/** Input and result of the health workflow; shared by the client, worker and workflow. */
export interface HealthCheckInput {
  /** Unique per run so probes never collide in S3. */
  probeId: string;
}

export interface HealthCheckResult {
  database: { ok: true; serverVersion: string };
  storage: { ok: true; roundTripBytes: number };
}

/** GET /api/health: what the header banner polls. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: {
    database: { ok: boolean };
    temporal: { ok: boolean };
    storage: { ok: boolean };
    worker: { ok: boolean; lastSeenAt: string | null };
  };
}
