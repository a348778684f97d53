// The one error table of the HTTP boundary: every failure a request can meet maps here to
// a status code, and for OTLP to whether the client should retry.

/** A failure to report to the client with a status and a message it can act on. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  /** Seconds for Retry-After (set on 429/503 only). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, message: string, retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Retryable: the database is down or too slow, or too much work is queued. Answered 503. */
export class UnavailableError extends HttpError {
  override name = 'UnavailableError';
  constructor(message: string, retryAfterSeconds: number) {
    super(503, message, retryAfterSeconds);
  }
}

/** Postgres SQLSTATE classes that mean "this data can never be stored", not "try later". */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '54']);

/**
 * Maps an error thrown while writing a batch. Data errors are permanent (400: the OTLP
 * client drops the batch); everything else (connection refused, timeouts, too many
 * connections, shutdown) is transient (503 + Retry-After: the client retries). A 500 is
 * never sent for a write, since OTLP clients drop data on 500.
 */
export function classifyWriteError(error: unknown, retryAfterSeconds: number): HttpError {
  if (error instanceof HttpError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) {
    return new HttpError(400, `the database rejected the batch: ${message}`);
  }
  return new UnavailableError(`the database is unavailable, retry later (${message})`, retryAfterSeconds);
}
