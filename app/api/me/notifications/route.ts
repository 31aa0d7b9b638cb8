import { json, withRoute } from '@/lib/http/with-route';
import { notificationSettingsSchema } from '@/lib/notifications/notification-settings.contracts';
import { getNotificationSettings, setNotificationSettings } from '@/lib/notifications/notification-settings.service';

export const GET = withRoute({ access: 'signed-in' }, async ({ admin }) => json(await getNotificationSettings(admin.id)));

export const POST = withRoute({ access: 'signed-in', body: notificationSettingsSchema }, async ({ scope, actor, body }) =>
  json(await setNotificationSettings(scope, actor, body)),
);
