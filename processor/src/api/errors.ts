// The one error table of the HTTP boundary: every failure a request can meet maps here to
// a status code, and for OTLP to whether the client should retry. What a Postgres error
// means is decided in store/errors.ts; this file decides what the client is told.
import { isDatabaseDown, isDatabaseOverloaded, isDataError } from '../store/errors.ts';

/** A failure to report to the client with a status and a message it can act on. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  /** Seconds for Retry-After (set on 429/503 only). */
  readonly retryAfterSeconds: number | undefined;

  /** `cause`: the error this one reports, kept for the log, never sent to the client. */
  constructor(status: number, message: string, retryAfterSeconds?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Retryable: the database is down or too slow, or too much work is queued. Answered 503. */
export class UnavailableError extends HttpError {
  override name = 'UnavailableError';
  constructor(message: string, retryAfterSeconds: number, cause?: unknown) {
    super(503, message, retryAfterSeconds, cause);
  }
}

/** What the request was doing, for the message of a 500. */
export type DatabaseWork = 'read' | 'write';

/**
 * Maps an error thrown while reading or writing through the database. Data errors are
 * permanent (400: an OTLP client drops the batch); a database that is down or overloaded is
 * transient (503 + Retry-After: the client retries); anything else is a bug in the processor
 * (500, which OTLP clients do not retry: a batch that trips a bug would fail on every retry).
 * The 503 and 500 messages say only the reason class: the error itself, which can name the
 * database host and port, is the `cause`, for the log.
 */
export function classifyDatabaseError(error: unknown, retryAfterSeconds: number, work: DatabaseWork): HttpError {
  if (error instanceof HttpError) return error;
  if (isDataError(error)) {
    const what = work === 'write' ? 'the batch' : 'the request';
    return new HttpError(400, `the database rejected ${what}: ${(error as Error).message}`, undefined, error);
  }
  if (isDatabaseDown(error)) return new UnavailableError('the database is unavailable, retry later', retryAfterSeconds, error);
  if (isDatabaseOverloaded(error)) return new UnavailableError('the database is overloaded, retry later', retryAfterSeconds, error);
  const message = work === 'write' ? 'internal error while writing the batch; it was not stored' : 'internal error';
  return new HttpError(500, message, undefined, error);
}

/** The thrown error behind `error` (its cause when it is an HttpError made from one), for a log line. */
export function errorToLog(error: unknown): string {
  const original = error instanceof HttpError && error.cause !== undefined ? error.cause : error;
  return original instanceof Error ? (original.stack ?? original.message) : String(original);
}
