import { openApiDocument } from '@/lib/http/openapi';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute('GET /api/openapi.json', async () => json(openApiDocument()));
