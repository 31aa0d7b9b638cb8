'use client';

import { useHealth } from '../_hooks/use-health';

const dependencyNames = { database: 'the database', temporal: 'Temporal', storage: 'file storage (S3)' } as const;

/** Says why exports would not move: a missing worker, or a dependency that is down. */
export function HealthBanner() {
  const { data } = useHealth();
  if (!data) return null;
  const { checks } = data;
  const down = (Object.keys(dependencyNames) as (keyof typeof dependencyNames)[]).filter((name) => !checks[name].ok);
  const workerMissing = checks.worker.ok === false;
  if (!workerMissing && down.length === 0) return null;
  return (
    <div role="alert" className="border-t border-amber-300 bg-amber-50 text-sm text-amber-900">
      <div className="mx-auto max-w-6xl space-y-1 px-4 py-2 sm:px-6">
        {workerMissing && <p>No export worker is running: new exports will wait in the queue until one starts.</p>}
        {down.length > 0 && (
          <p>
            Export Console can't reach {down.map((name) => dependencyNames[name]).join(', ')}: exports can't start or finish until{' '}
            {down.length === 1 ? 'it is' : 'they are'} back.
          </p>
        )}
      </div>
    </div>
  );
}
