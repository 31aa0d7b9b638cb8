import { json, withRoute } from '@/lib/http/with-route';
import { listUsersQuerySchema } from '@/lib/users/user.contracts';
import { listUsers } from '@/lib/users/user.service';

export const GET = withRoute({ access: 'signed-in', query: listUsersQuerySchema }, async ({ scope, query }) => json(await listUsers(scope, query)));
