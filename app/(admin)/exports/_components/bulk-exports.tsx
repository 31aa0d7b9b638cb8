'use client';

import { ApiErrorAlert } from '../../_components/api-error-alert';
import { useBulkExports } from '../_hooks/use-bulk-exports';
import { BulkExportCard } from './bulk-export-card';

/** The newest bulk exports, above the history; nothing at all until there is one. */
export function BulkExports({ environmentId, canManage }: { environmentId: string; canManage: boolean }) {
  const bulk = useBulkExports(environmentId);
  if (bulk.isError) return <ApiErrorAlert error={bulk.error} className="mt-4" />;
  const items = bulk.data?.bulkExports ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="bulk-exports-heading" className="mt-6">
      <h2 id="bulk-exports-heading" className="text-lg font-semibold">
        Bulk exports
      </h2>
      <ul className="mt-2 space-y-3">
        {items.map((item) => (
          <BulkExportCard key={item.id} item={item} canManage={canManage} />
        ))}
      </ul>
    </section>
  );
}
