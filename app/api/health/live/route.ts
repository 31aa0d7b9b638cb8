import { json, withRoute } from '@/lib/http/with-route';

// Answered per request, never prerendered at build time.
export const dynamic = 'force-dynamic';

/** Liveness probe: answers while the process serves requests; restart the instance when it stops. */
export const GET = withRoute('GET /api/health/live', async () => json({ status: 'ok' }));
