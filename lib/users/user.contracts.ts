import { z } from 'zod';
import { pageQuerySchema } from '../http/pagination.contracts';

export const listUsersQuerySchema = pageQuerySchema.extend({
  search: z
    .string()
    .trim()
    .max(200, 'search is too long (200 characters at most)')
    .refine((value) => !value.includes('\u0000'), 'search must not contain NUL characters')
    .optional(),
});

export interface UserDto {
  id: string;
  email: string;
  name: string;
  eventCount: number;
  createdAt: string;
  lastLoginAt: string | null;
}
