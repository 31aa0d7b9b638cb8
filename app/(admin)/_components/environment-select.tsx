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

/** Switches the session's environment; the server accepts only the tenant's own. */
export function EnvironmentSelect({ current, environments }: Props) {
  const { update } = useSession();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onChange(environmentId: string) {
    setPending(true);
    await update({ environmentId });
    // Everything on screen belongs to the old environment: drop it all.
    queryClient.clear();
    router.refresh();
    setPending(false);
  }

  return (
    <label className="flex items-center gap-2">
      <span>Environment</span>
      <select
        aria-label="Environment"
        value={current}
        disabled={pending || !hydrated}
        onChange={(e) => void onChange(e.target.value)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1"
      >
        {environments.map((env) => (
          <option key={env.id} value={env.id}>{env.name}</option>
        ))}
      </select>
    </label>
  );
}
