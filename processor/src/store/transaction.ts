import type pg from 'pg';

/**
 * Runs `work` in one transaction on its own connection, each statement bounded by
 * `statementTimeoutMs`, with `settings` applied for the transaction only (SET LOCAL).
 * Commits when `work` resolves; rolls back and rethrows otherwise.
 * A connection that saw an error is discarded, not returned to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  statementTimeoutMs: number,
  work: (client: pg.PoolClient) => Promise<T>,
  settings: Record<string, string> = {},
): Promise<T> {
  const client = await pool.connect();
  // A connection dropped between two statements (Postgres stopped) is reported as an
  // 'error' event with no query to fail; without a listener it would crash the process.
  // The next statement fails with it instead, and the catch below handles that.
  const onError = () => undefined;
  client.on('error', onError);
  try {
    const locals = Object.entries(settings).map(([name, value]) => `SET LOCAL ${name} = ${value}`);
    await client.query(['BEGIN', `SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`, ...locals].join('; '));
    const result = await work(client);
    await client.query('COMMIT');
    client.off('error', onError);
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.off('error', onError);
    client.release(true);
    throw error;
  }
}
