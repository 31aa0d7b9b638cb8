import { ApiError } from '../_lib/api-fetch';

/** An API failure as a person should read it: what went wrong, how to fix it, when to retry. */
export function ApiErrorAlert({ error, className = '' }: { error: unknown; className?: string }) {
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError?.message ?? (error instanceof Error ? error.message : 'Something went wrong');
  return (
    <p role="alert" className={`rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ${className}`}>
      <span className="font-medium">{sentence(message)}</span>
      {apiError?.hint && <span> {apiError.hint}</span>}
      {apiError?.retryAfterSeconds != null && <span> Try again in {apiError.retryAfterSeconds} s.</span>}
    </p>
  );
}

// Server messages are phrases without a full stop; the hint that follows is a sentence.
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
