// The HTTP answer to a database error (api/errors.ts classifyDatabaseError): 400 for data,
// 503 + Retry-After for a database down or overloaded, 500 for anything else, and no raw
// error text (host, port) in a 503 or 500 message. test/database-errors.test.ts does the same
// with errors from a real Postgres.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { classifyDatabaseError, errorToLog, HttpError, UnavailableError } from '../src/api/errors.ts';

function serverError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

/** The fields a client sees, and the error kept for the log. */
function answer(error: HttpError) {
  return { name: error.name, status: error.status, message: error.message, retryAfterSeconds: error.retryAfterSeconds, cause: error.cause };
}

test('refused data is a 400 naming what the database said, for a write and for a read', () => {
  const unique = serverError('23505', 'duplicate key value violates unique constraint "spans_pkey"');
  assert.deepEqual(answer(classifyDatabaseError(unique, 5, 'write')), {
    name: 'HttpError',
    status: 400,
    message: 'the database rejected the batch: duplicate key value violates unique constraint "spans_pkey"',
    retryAfterSeconds: undefined,
    cause: unique,
  });
  const syntax = serverError('22007', 'invalid input syntax for type timestamp with time zone: "soon"');
  assert.equal(
    classifyDatabaseError(syntax, 5, 'read').message,
    'the database rejected the request: invalid input syntax for type timestamp with time zone: "soon"',
  );
});

test('a refused connection is a 503 with Retry-After that does not repeat the host and port', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
  const failure = classifyDatabaseError(refused, 7, 'write');
  assert.ok(failure instanceof UnavailableError);
  assert.deepEqual(answer(failure), {
    name: 'UnavailableError',
    status: 503,
    message: 'the database is unavailable, retry later',
    retryAfterSeconds: 7,
    cause: refused,
  });
});

test('a statement timeout, too many connections or contention is a 503 "overloaded"', () => {
  for (const [code, message] of [
    ['57014', 'canceling statement due to statement timeout'],
    ['53300', 'sorry, too many clients already'],
    ['40P01', 'deadlock detected'],
  ] as const) {
    const error = serverError(code, message);
    assert.deepEqual(answer(classifyDatabaseError(error, 3, 'read')), {
      name: 'UnavailableError',
      status: 503,
      message: 'the database is overloaded, retry later',
      retryAfterSeconds: 3,
      cause: error,
    }, code);
  }
});

test('a bug (TypeError, an undefined column) is a 500 with a generic message, the error kept as its cause', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'spanId')");
  assert.deepEqual(answer(classifyDatabaseError(bug, 5, 'write')), {
    name: 'HttpError',
    status: 500,
    message: 'internal error while writing the batch; it was not stored',
    retryAfterSeconds: undefined,
    cause: bug,
  });
  const column = serverError('42703', 'column "name" does not exist');
  assert.deepEqual(answer(classifyDatabaseError(column, 5, 'read')), {
    name: 'HttpError',
    status: 500,
    message: 'internal error',
    retryAfterSeconds: undefined,
    cause: column,
  });
});

test('an HttpError (admission, body limits) passes through unchanged', () => {
  const overloaded = new UnavailableError('the processor is overloaded (queue full); retry later', 5);
  assert.equal(classifyDatabaseError(overloaded, 9, 'write'), overloaded);
});

test('errorToLog gives the stack of the error behind an HttpError, and of a plain error', () => {
  const bug = new TypeError('boom');
  assert.equal(errorToLog(classifyDatabaseError(bug, 5, 'write')), bug.stack);
  assert.equal(errorToLog(bug), bug.stack);
  const own = new HttpError(404, 'no route');
  assert.equal(errorToLog(own), own.stack);
  assert.equal(errorToLog('a string'), 'a string');
});
