/**
 * Text a tenant's admins must never see in an export's error summary: socket error codes,
 * IP addresses, host:port pairs, SQL state words. Shared by the unit, fault and e2e checks.
 */
export const internalDetailPattern =
  /ECONN\w*|ETIMEDOUT|EPIPE|ENOTFOUND|\b\d{1,3}(?:\.\d{1,3}){3}\b|\[?[0-9a-f:]*::[0-9a-f:]*\]?|\b[\w.-]+:\d{2,5}\b|localhost|\bselect\b|\brelation\b/i;
