// Test harness: real embedded Postgres in a temporary directory, and the real processor
// (in this process, on a free port) storing into it.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Logger, silentLogger } from '../processor/src/runtime/logger.ts';
import { type Config, loadConfig } from '../processor/src/config/config.ts';
import { startProcessor as start } from '../processor/src/service.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../processor/src/store/database.ts';

export interface TestPostgres extends EmbeddedPostgres {
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

/** A fresh embedded Postgres on a free port, in its own temporary data directory. */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-test-'));
  const port = await freePort();
  const postgres = await startEmbeddedPostgres(dir, port, silentLogger);
  return {
    ...postgres,
    async destroy() {
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestProcessor {
  url: string;
  postgres: TestPostgres;
  /** Runs SQL against the processor's database. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the processor (and the Postgres it started). */
  stop(): Promise<void>;
}

/**
 * Starts the processor on 127.0.0.1 and a free port, storing into `postgres` (a new one
 * when not given). Settings not given take their defaults.
 */
export async function startProcessor(
  options: { postgres?: TestPostgres; settings?: Record<string, string>; logger?: Logger } = {},
): Promise<TestProcessor> {
  const postgres = options.postgres ?? (await startPostgres());
  const config: Config = loadConfig({
    FLYWHEEL_HOST: '127.0.0.1',
    FLYWHEEL_PORT: '0',
    DATABASE_URL: postgres.url,
    FLYWHEEL_LOG_LEVEL: 'error',
    ...options.settings,
  });
  const processor = await start(config, options.logger ?? silentLogger);
  const client = new pg.Pool({ connectionString: postgres.url, max: 2 });
  client.on('error', () => undefined);
  return {
    url: processor.url,
    postgres,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await client.query<R>(sql, params)).rows;
    },
    async stop() {
      await processor.stop();
      await client.end();
      if (!options.postgres) await postgres.destroy();
    },
  };
}

/**
 * `count` distinct TCP ports nothing listens on right now. Asking for them one at a time can
 * return the same port twice (the kernel reuses a port just released), so all are held until
 * every one is known.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
