import { useSyncExternalStore } from 'react';

const noSubscription = () => () => {};

/**
 * False in the server's HTML and during hydration, true once React handles events. A
 * control rendered on the server stays disabled until then: input typed into it earlier
 * would be dropped (and reset) by hydration, with nothing telling the admin.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
