import { z } from 'zod';
import { exportStatuses } from '../exports/export.contracts';
import { pageQuerySchema } from '../pagination/pagination.contracts';

export const listUsersQuerySchema = pageQuerySchema.extend({
  search: z
    .string()
    .trim()
    .max(200, 'search is too long (200 characters at most)')
    .refine((value) => !value.includes('\u0000'), 'search must not contain NUL characters')
    .optional(),
});

/** The user's newest export, so the users page can show it live where the admin is looking. */
export const userLatestExportSchema = z.object({
  id: z.uuid(),
  status: z.enum(exportStatuses),
  progress: z.object({ rowsExported: z.number().int(), rowsTotal: z.number().int().nullable() }),
  expiresAt: z.iso.datetime().nullable(),
});

export const userDtoSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  eventCount: z.number().int(),
  createdAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
  latestExport: userLatestExportSchema.nullable(),
});
export type UserDto = z.infer<typeof userDtoSchema>;
