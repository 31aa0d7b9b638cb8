'use client';

import { SessionProvider } from 'next-auth/react';
import type { ReactNode } from 'react';

/**
 * next-auth's session context, for the signed-in pages only. On /login it would fetch the
 * session at mount, and each such response sets a new form-token cookie when there is none
 * yet: a race with the sign-in form's own token (issue 9 §2).
 */
export function AdminSession({ children }: { children: ReactNode }) {
  return <SessionProvider>{children}</SessionProvider>;
}
