import { json, withRoute } from '@/lib/http/with-route';
import { getNotificationSettings, setNotificationSettings } from '@/lib/notifications/notification-settings.service';

export const GET = withRoute('GET /api/me/notifications', async ({ admin }) => json(await getNotificationSettings(admin.id)));

export const POST = withRoute('POST /api/me/notifications', async ({ scope, actor, body }) => json(await setNotificationSettings(scope, actor, body)));
