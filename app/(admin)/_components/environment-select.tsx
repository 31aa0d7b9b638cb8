'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSession } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useHydrated } from '../_hooks/use-hydrated';

interface Props {
  current: string;
  environments: { id: string; slug: string; name: string }[];
}

const notSwitched = 'The environment was not switched. Reload the page and choose it again.';

/**
 * Switches the session's environment; the server accepts only the tenant's own. Enabled
 * only once hydrated and the session has loaded: next-auth's `update()` silently does
 * nothing while the session is still loading, so an early choice would be dropped.
 */
export function EnvironmentSelect({ current, environments }: Props) {
  const { status, update } = useSession();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = useHydrated() && status === 'authenticated';

  async function onChange(environmentId: string) {
    setPending(true);
    setError(null);
    try {
      const updated = await update({ environmentId });
      if (updated?.admin.environmentId !== environmentId) {
        setError(notSwitched);
        return;
      }
      // Everything on screen belongs to the old environment: drop it all.
      queryClient.clear();
      router.refresh();
    } catch {
      setError(notSwitched);
    } finally {
      setPending(false);
    }
  }

  return (
    <label className="flex items-center gap-2">
      <span>Environment</span>
      <select
        aria-label="Environment"
        value={current}
        disabled={pending || !ready}
        onChange={(e) => void onChange(e.target.value)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1"
      >
        {environments.map((env) => (
          <option key={env.id} value={env.id}>
            {env.name}
          </option>
        ))}
      </select>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </label>
  );
}
