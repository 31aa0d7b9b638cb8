import { sql } from 'kysely';
import type { Db } from '../db/client';
import type { AdminRole } from '../db/schema';
import { hashPassword } from './password';

/**
 * Changes to an admin account. Each one that should end existing sessions bumps
 * `session_version`, which every request compares with the version in its session token.
 */
const bump = { session_version: sql<number>`session_version + 1` };

function byEmail(email: string) {
  return sql<boolean>`lower(email) = ${email.trim().toLowerCase()}`;
}

async function updated(result: Promise<{ numUpdatedRows: bigint }>, email: string): Promise<void> {
  if ((await result).numUpdatedRows === 0n) throw new Error(`No admin has the email ${email}`);
}

export async function setAdminPassword(db: Db, email: string, password: string): Promise<void> {
  const password_hash = await hashPassword(password);
  await updated(
    db
      .updateTable('admins')
      .set({ password_hash, ...bump })
      .where(byEmail(email))
      .executeTakeFirst(),
    email,
  );
}

export async function setAdminRole(db: Db, email: string, role: AdminRole): Promise<void> {
  await updated(
    db
      .updateTable('admins')
      .set({ role, ...bump })
      .where(byEmail(email))
      .executeTakeFirst(),
    email,
  );
}

export async function setAdminDisabled(db: Db, email: string, disabled: boolean): Promise<void> {
  await updated(
    db
      .updateTable('admins')
      .set({ disabled_at: disabled ? new Date() : null, ...bump })
      .where(byEmail(email))
      .executeTakeFirst(),
    email,
  );
}

/** Ends every session of the admin (sign-out does this for the admin's own sessions). */
export async function endAdminSessions(db: Db, adminId: string): Promise<void> {
  await db.updateTable('admins').set(bump).where('id', '=', adminId).execute();
}

/** Replaces a hash made with older parameters; the password is unchanged, so sessions live on. */
export async function replacePasswordHash(db: Db, adminId: string, passwordHash: string): Promise<void> {
  await db.updateTable('admins').set({ password_hash: passwordHash }).where('id', '=', adminId).execute();
}
