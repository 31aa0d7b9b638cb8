import { z } from 'zod';

/** `cursor` and `limit` of every list route (default 20, max 100). Client-safe: zod only. */
export const pageQuerySchema = z.object({
  cursor: z
    .string()
    .max(600, 'cursor is too long')
    .regex(/^[A-Za-z0-9_-]+$/, 'cursor is not valid')
    .optional(),
  limit: z.coerce.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(100, 'limit must be at most 100').default(20),
});
