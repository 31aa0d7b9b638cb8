import { json } from '@/lib/http/with-route';
import { openApiDocument } from '@/lib/http/openapi';

export function GET(): Response {
  return json(openApiDocument());
}
