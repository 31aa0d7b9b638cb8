import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The attempt the credentials gate reserved for this request, handed to `authorize()`
 * through async context: next-auth reads cookies and headers from Next's request store,
 * so nothing the client sends can stand in for it.
 */
export interface SignInAttemptContext {
  attemptId: string;
  email: string;
  client: string;
  /** Set by authorize() once it has checked a password. */
  settled?: boolean;
}

export const signInContext = new AsyncLocalStorage<SignInAttemptContext>();
