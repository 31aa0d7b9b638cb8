import { createInterface } from 'node:readline/promises';
import { endAdminSessions, setAdminDisabled, setAdminPassword, setAdminRole } from '../lib/auth/admin-accounts';
import { findAdminByEmail } from '../lib/auth/admin.repository';
import { createDb } from '../lib/db/client';
import { databaseEnv } from '../lib/env';

/**
 * `npm run admin -- <command> <email> [role]`: account changes an operator makes. Each one
 * ends the admin's open sessions (their session version is bumped).
 *   set-password <email>        reads the new password from stdin (one line)
 *   set-role <email> admin|viewer
 *   disable <email> | enable <email>
 *   sign-out <email>            ends every session of that admin
 */
const [command, email, role] = process.argv.slice(2);
const usage = 'usage: npm run admin -- set-password|set-role|disable|enable|sign-out <email> [admin|viewer]';
if (!command || !email) {
  console.error(usage);
  process.exit(2);
}

const db = createDb(databaseEnv().DATABASE_URL, 1);
try {
  switch (command) {
    case 'set-password': {
      const input = createInterface({ input: process.stdin });
      const password = (await input.question(process.stdin.isTTY ? 'New password: ' : '')).trim();
      input.close();
      if (password.length < 12) throw new Error('The password must be at least 12 characters.');
      await setAdminPassword(db, email, password);
      break;
    }
    case 'set-role':
      if (role !== 'admin' && role !== 'viewer') throw new Error('The role must be admin or viewer.');
      await setAdminRole(db, email, role);
      break;
    case 'disable':
    case 'enable':
      await setAdminDisabled(db, email, command === 'disable');
      break;
    case 'sign-out': {
      const admin = await findAdminByEmail(db, email);
      if (!admin) throw new Error(`No admin has the email ${email}`);
      await endAdminSessions(db, admin.id);
      break;
    }
    default:
      throw new Error(usage);
  }
  console.log(`${command} ${email}: done; their open sessions have ended.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
