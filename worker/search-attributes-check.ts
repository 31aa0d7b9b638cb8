import type { NativeConnection } from '@temporalio/worker';
// Default import: the compiled worker is ESM and @temporalio/proto is CommonJS (no named exports).
import proto from '@temporalio/proto';
import { exportSearchAttributeKeys } from '../lib/temporal/search-attributes';

/** The one command an operator runs on a cluster where the worker may not register them. */
export function searchAttributeCreateCommand(namespace: string): string {
  return `temporal operator search-attribute create --namespace ${namespace} ${exportSearchAttributeKeys.map((k) => `--name ${k.name} --type Keyword`).join(' ')}`;
}

/**
 * The export workflow upserts ExportStatus on each transition; on a namespace without the
 * attribute every workflow task would fail, so exports would hang. Missing ones are
 * registered here when the worker is allowed to (the dev server registers them itself);
 * otherwise the worker refuses to start with the command that fixes it. The local stack's
 * real-server profile registers them through here too, with a client connection.
 */
export async function ensureSearchAttributes(connection: Pick<NativeConnection, 'operatorService'>, namespace: string): Promise<{ added: string[] }> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = exportSearchAttributeKeys.filter((key) => !customAttributes?.[key.name]);
  if (missing.length === 0) return { added: [] };
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } catch (error) {
    throw new Error(
      `Temporal namespace "${namespace}" lacks the search attributes ${missing.map((k) => k.name).join(', ')} and this worker may not add them ` +
        `(${error instanceof Error ? error.message : String(error)}). Create them once: ${searchAttributeCreateCommand(namespace)}`,
    );
  }
  return { added: missing.map((k) => k.name) };
}
