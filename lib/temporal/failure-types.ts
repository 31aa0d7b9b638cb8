/**
 * The ApplicationFailure types the activities throw and the workflows read (retry policies,
 * failure summaries). Written once here: a renamed type would otherwise turn a known failure
 * into "unexpected" without any error. Constants only, so the workflow bundle may import it.
 * The values are recorded in workflow histories: rename none.
 */
export const failureTypes = {
  storage: 'StorageError',
  databaseUnavailable: 'DatabaseUnavailable',
  notFound: 'NotFound',
  validation: 'ValidationError',
  superseded: 'Superseded',
  exportFailed: 'ExportFailed',
  mailRejected: 'MailRejected',
  mailUnavailable: 'MailUnavailable',
} as const;
