import { z } from 'zod';

/** The signed-in admin's mail settings; shared by the route, the header menu and OpenAPI. */
export const notificationSettingsSchema = z.object({
  exportEmails: z.boolean({ error: 'exportEmails must be true or false' }),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;
