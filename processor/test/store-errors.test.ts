// What each kind of database error means (store/errors.ts), on real error objects: node-postgres'
// own DatabaseError class with the SQLSTATE a server would send, and the socket and pool errors
// pg and pg-pool really throw against a closed port and a server that never answers.
// test/database-errors.test.ts provokes the server-side ones from a real Postgres.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { isContention, isDatabaseDown, isDatabaseOverloaded, isDataError, sqlstateOf } from '../src/store/errors.ts';

/** A DatabaseError as pg-protocol builds it from an ErrorResponse message. */
function serverError(code: string, message = `server error ${code}`): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'ERROR';
  return error;
}

/** [isDataError, isContention, isDatabaseDown, isDatabaseOverloaded] of an error. */
function kinds(error: unknown): [boolean, boolean, boolean, boolean] {
  return [isDataError(error), isContention(error), isDatabaseDown(error), isDatabaseOverloaded(error)];
}

test('data exceptions, constraint violations and program limits are data errors, and only those', () => {
  for (const code of ['22001', '22P02', '22021', '23505', '23503', '23502', '54000']) {
    assert.deepEqual(kinds(serverError(code)), [true, false, false, false], code);
  }
});

test('lock timeouts, deadlocks and serialization failures are contention, which is also overload', () => {
  for (const code of ['55P03', '40P01', '40001']) assert.deepEqual(kinds(serverError(code)), [false, true, false, true], code);
});

test('connection exceptions and shutdowns mean the database is down', () => {
  for (const code of ['08000', '08006', '08P01', '57P01', '57P02', '57P03']) {
    assert.deepEqual(kinds(serverError(code)), [false, false, true, false], code);
  }
});

test('insufficient resources and a statement timeout mean the database is overloaded', () => {
  for (const code of ['53000', '53100', '53200', '53300', '57014']) {
    assert.deepEqual(kinds(serverError(code)), [false, false, false, true], code);
  }
});

test('other SQLSTATEs (a syntax error, an undefined column, a failed transaction) are none of these: bugs', () => {
  for (const code of ['42601', '42703', '42P01', '25P02', 'XX000', '55000']) {
    assert.deepEqual(kinds(serverError(code)), [false, false, false, false], code);
  }
});

test('errors that are not from the database are none of these, whatever their message or code', () => {
  assert.deepEqual(kinds(new TypeError("Cannot read properties of undefined (reading 'spanId')")), [false, false, false, false]);
  assert.deepEqual(kinds(Object.assign(new Error('looks like a SQLSTATE'), { code: '23505' })), [false, false, false, false]);
  assert.deepEqual(kinds('Connection terminated'), [false, false, false, false]);
  assert.deepEqual(kinds(undefined), [false, false, false, false]);
  assert.deepEqual(kinds(null), [false, false, false, false]);
});

test('sqlstateOf reads the code of a server error only, not a socket errno', () => {
  assert.equal(sqlstateOf(serverError('23505')), '23505');
  assert.equal(sqlstateOf(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), undefined);
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

let closedPort: number;
let silent: Server;
let silentPort: number;
before(async () => {
  const closed = createServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  // Accepts TCP connections and never answers: a Postgres that hangs.
  silent = createServer(() => undefined);
  silentPort = await listen(silent);
});
after(async () => {
  await new Promise((resolve) => silent.close(resolve));
});

test('a refused connection (closed port) means the database is down', async () => {
  const client = new pg.Client({ host: '127.0.0.1', port: closedPort, user: 'flywheel', password: 'secret' });
  const error = await client.connect().then(
    () => assert.fail('connected to a closed port'),
    (e: unknown) => e,
  );
  assert.equal((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  assert.deepEqual(kinds(error), [false, false, true, false]);
});

test("pg-pool's connect timeout means down; its wait for a busy pool's connection means overloaded", async () => {
  const pool = new pg.Pool({ host: '127.0.0.1', port: silentPort, max: 1, connectionTimeoutMillis: 200 });
  pool.on('error', () => undefined);
  try {
    const [connecting, waiting] = await Promise.all([pool.connect().catch((e: unknown) => e), pool.connect().catch((e: unknown) => e)]);
    assert.equal((connecting as Error).message, 'Connection terminated due to connection timeout');
    assert.deepEqual(kinds(connecting), [false, false, true, false]);
    assert.equal((waiting as Error).message, 'timeout exceeded when trying to connect');
    assert.deepEqual(kinds(waiting), [false, false, false, true]);
  } finally {
    await pool.end();
  }
});
