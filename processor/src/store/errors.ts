// What an error from Postgres, or from the way to it, means for the caller: data that can
// never be stored, contention that a retry resolves, or a database that is down or overloaded.
// SQLSTATE codes and classes are from PostgreSQL's Appendix A "PostgreSQL Error Codes"
// (https://www.postgresql.org/docs/current/errcodes-appendix.html); the codeless errors are
// the ones node-postgres throws (pg/lib/client.js, pg-pool/index.js).
import pg from 'pg';

/** SQLSTATE classes of data that can never be stored: 22 data exception, 23 integrity constraint violation, 54 program limit exceeded. */
export const DATA_ERROR_CLASSES: ReadonlySet<string> = new Set(['22', '23', '54']);

/**
 * Contention a retry resolves: 55P03 lock_not_available (lock_timeout), 40P01
 * deadlock_detected, 40001 serialization_failure.
 */
export const CONTENTION_SQLSTATES: ReadonlySet<string> = new Set(['55P03', '40P01', '40001']);

/** SQLSTATE classes of a server that cannot be reached: 08 connection exception. */
export const DOWN_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['08']);

/** The server is going away or not accepting yet: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now. */
export const DOWN_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03']);

/** SQLSTATE classes of a server too busy to do the work: 53 insufficient resources (53300 too_many_connections, 53100 disk_full, ...). */
export const OVERLOADED_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['53']);

/** Work cut short by a timeout: 57014 query_canceled (statement_timeout), plus contention. */
export const OVERLOADED_SQLSTATES: ReadonlySet<string> = new Set(['57014', ...CONTENTION_SQLSTATES]);

/** Node socket errnos (`code` of a system error) of a connection refused, cut or never made. */
export const DOWN_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages of the errors node-postgres throws with no code when a connection is lost or cannot be made. */
export const DOWN_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated', // pg/lib/client.js: the socket ended while a query ran
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout', // pg-pool: a new connection took longer than connectionTimeoutMillis
  'timeout expired', // pg/lib/client.js: the client's own connect timeout
  'Client has encountered a connection error and is not queryable',
]);

/**
 * pg-pool's error when no connection frees up within connectionTimeoutMillis. A database
 * that is down refuses the connect at once (ECONNREFUSED), so this most often means every
 * connection of the pool is busy.
 */
export const OVERLOADED_MESSAGES: ReadonlySet<string> = new Set(['timeout exceeded when trying to connect']);

/** The SQLSTATE of an error the server sent, else undefined (a socket errno is not one). */
export function sqlstateOf(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError && typeof error.code === 'string' ? error.code : undefined;
}

/** The data can never be stored as it is (bad value, constraint violation, value too large): retrying cannot help. */
export function isDataError(error: unknown): boolean {
  const sqlstate = sqlstateOf(error);
  return sqlstate !== undefined && DATA_ERROR_CLASSES.has(sqlstate.slice(0, 2));
}

/** A lock wait, deadlock or serialization failure: routine under concurrency, retried quietly. */
export function isContention(error: unknown): boolean {
  const sqlstate = sqlstateOf(error);
  return sqlstate !== undefined && CONTENTION_SQLSTATES.has(sqlstate);
}

/** The database cannot be reached, or is shutting down or starting up. */
export function isDatabaseDown(error: unknown): boolean {
  const sqlstate = sqlstateOf(error);
  if (sqlstate !== undefined) return DOWN_SQLSTATE_CLASSES.has(sqlstate.slice(0, 2)) || DOWN_SQLSTATES.has(sqlstate);
  if (!(error instanceof Error)) return false;
  const errno = (error as NodeJS.ErrnoException).code;
  return (typeof errno === 'string' && DOWN_ERRNOS.has(errno)) || DOWN_MESSAGES.has(error.message);
}

/** The database answers but is too busy: out of resources or connections, a timeout, contention. */
export function isDatabaseOverloaded(error: unknown): boolean {
  const sqlstate = sqlstateOf(error);
  if (sqlstate !== undefined) return OVERLOADED_SQLSTATE_CLASSES.has(sqlstate.slice(0, 2)) || OVERLOADED_SQLSTATES.has(sqlstate);
  return error instanceof Error && OVERLOADED_MESSAGES.has(error.message);
}
