import { getExport } from '@/lib/exports/export.service';
import { json, withRoute } from '@/lib/http/with-route';

// Reads the exports table only: never waits on the workflow.
export const GET = withRoute('GET /api/exports/{id}', async ({ scope, params }) => json({ export: await getExport(scope, params.id) }));
