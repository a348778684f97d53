// Assembles the running processor: database, migrations, HTTP server; and takes it down
// in order (stop accepting, let in-flight requests finish, close the pool, stop Postgres).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WriteAdmission } from './api/admission.ts';
import { createApp } from './api/app.ts';
import { checkBind, createAuth } from './api/auth.ts';
import { createMetrics } from './api/metrics.ts';
import type { Logger } from './runtime/logger.ts';
import type { Config } from './config/config.ts';
import { buildInteractions } from './normalize/index.ts';
import { openDatabase, type Database } from './store/database.ts';
import { loadMigrations, migrate } from './store/migrate.ts';
import { queueDepth } from './store/score-queue.ts';
import { registerScoreMetrics, startScoring } from './score/index.ts';

export interface RunningProcessor {
  /** Base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  database: Database;
  server: Server;
  /** Graceful stop; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startProcessor(config: Config, log: Logger): Promise<RunningProcessor> {
  const database = await openDatabase(
    {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      embeddedPgPort: config.embeddedPgPort,
      // Writers, the API and readiness checks, and one connection per scoring worker.
      maxConnections: config.maxConcurrentWrites + 4 + config.scoreWorkers,
    },
    log,
  );
  try {
    const migrations = await loadMigrations();
    const applied = await migrate(database.pool, { migrations, log });
    if (applied.length > 0) log.info(`applied migrations: ${applied.join(', ')}`);

    const admission = new WriteAdmission({
      maxConcurrent: config.maxConcurrentWrites,
      maxQueued: config.maxQueuedWrites,
      queueTimeoutMs: config.queueTimeoutMs,
      maxPendingBytes: config.maxPendingBytes,
      retryAfterSeconds: config.retryAfterSeconds,
    });
    const auth = createAuth({ pool: database.pool, mode: config.auth });
    const authLine = await checkBind(auth, config.host);
    const metrics = createMetrics(admission);
    const scoreMetrics = registerScoreMetrics(metrics.registry, () => queueDepth(database.pool));
    const app = createApp({
      pool: database.pool,
      auth,
      admission,
      metrics,
      buildInteractions,
      latestMigration: migrations.at(-1)?.id ?? 0,
      maxBodyBytes: config.maxBodyBytes,
      writeTimeoutMs: config.writeTimeoutMs,
      retryAfterSeconds: config.retryAfterSeconds,
      log,
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    log.info(`storing into ${database.description}`);
    log.info(`listening on ${url} (OTLP/HTTP: ${url}/v1/traces, /v1/logs, /v1/metrics)`);
    log.info(authLine);
    const scoring = startScoring({ pool: database.pool, config, metrics: scoreMetrics, log });

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info('shutting down: finishing in-flight requests');
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections become idle as their last response goes out; close them
        // then rather than after the keep-alive timeout.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.closeIdleConnections();
        const timer = setTimeout(() => {
          log.warn(`in-flight requests still running after ${config.shutdownTimeoutMs} ms; closing their connections`);
          server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        await closed;
        clearInterval(sweep);
        clearTimeout(timer);
        await scoring.stop();
        await database.close();
        log.info('stopped');
      })());
    return { url, database, server, stop };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
