/**
 * Same-origin JSON fetch for the admin pages. Every API error has the shape
 * `{ error: { code, message, hint } }`; it is surfaced as an ApiError so components can
 * show the message and the hint (and, when rate limited, how long to wait).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; hint?: unknown };
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Returns the status too: some routes mean different things by 200 and 202. */
export async function apiRequest<T>(path: string, init: RequestInit = {}): Promise<ApiResponse<T>> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin', headers: { accept: 'application/json', ...init.headers } });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach Export Console', 'Check your connection; the page retries on its own.', null);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response, body as ErrorBody | null);
  return { status: response.status, body: body as T };
}

export async function apiGet<T>(path: string): Promise<T> {
  return (await apiRequest<T>(path)).body;
}

function toApiError(response: Response, body: ErrorBody | null): ApiError {
  const error = body?.error;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(
    response.status,
    typeof error?.code === 'string' ? error.code : 'internal',
    typeof error?.message === 'string' ? error.message : `The request failed (HTTP ${response.status})`,
    typeof error?.hint === 'string' ? error.hint : null,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/** `?a=1&b=2` from the defined values only, so empty filters never reach the API. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
