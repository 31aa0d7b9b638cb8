import { json, withRoute } from '@/lib/http/with-route';
import { listUsers } from '@/lib/users/user.service';

export const GET = withRoute('GET /api/users', async ({ scope, query }) => json(await listUsers(scope, query)));
