// Assembles the running processor: database, migrations, HTTP server, then the stages; and
// takes it down in order (stop accepting, let in-flight requests finish, stop the stages in
// reverse, close the pools, stop Postgres).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { admissionOptionsOf, WriteAdmission } from './api/admission.ts';
import { createApp } from './api/app.ts';
import { checkBind, createAuth } from './api/auth.ts';
import { registerApiMetrics } from './api/metrics.ts';
import { registerPoolMetrics } from './store/pool-metrics.ts';
import type { Config } from './config/config.ts';
import { buildInteractions, feedbackFromLogs, spanRoleOf } from './normalize/index.ts';
import { BUILTIN_TYPES, createRedactor, type CustomPattern, parseRedactPatterns, type Redactor } from './redact/index.ts';
import { processClaimant } from './runtime/claimant.ts';
import { type EventLoopLag, watchEventLoopLag } from './runtime/event-loop-lag.ts';
import type { Logger } from './runtime/logger.ts';
import type { Loop } from './runtime/loop.ts';
import { connectionsOf, type Stage, startStage } from './runtime/stage.ts';
import { knowledge } from './knowledge/index.ts';
import { mining } from './mine/index.ts';
import { outcomesOf } from './mine/report.ts';
import { retention } from './retention/index.ts';
import { scoring } from './score/index.ts';
import { openDatabase, type Database } from './store/database.ts';
import { loadMigrations, migrate } from './store/migrate.ts';

/** The background stages, started in this order once the server listens, stopped in reverse. */
const STAGES: readonly Stage[] = [scoring, knowledge, mining, retention];

/**
 * API-key checks run on both doors before a request is admitted. They get connections of their
 * own so that neither stuck reads nor busy writers hold them up (a check is one indexed query,
 * and verified keys are cached for seconds, so two suffice).
 */
const AUTH_CONNECTIONS = 2;

/** How often the HTTP server looks for requests past their headers or request timeout. */
const CONNECTIONS_CHECK_MS = 250;

export interface RunningProcessor {
  /** Base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  database: Database;
  server: Server;
  /** Graceful stop; safe to call more than once. */
  stop(): Promise<void>;
}

/** The redactor of the configuration; a patterns file that cannot be read or used stops the start. */
export async function loadRedactor(config: Pick<Config, 'redact' | 'redactPatterns'>): Promise<Redactor> {
  let custom: CustomPattern[] = [];
  if (config.redactPatterns !== undefined) {
    let text: string;
    try {
      text = await readFile(config.redactPatterns, 'utf8');
    } catch (error) {
      throw new Error(`FLYWHEEL_REDACT_PATTERNS: cannot read ${config.redactPatterns}: ${(error as Error).message}`, { cause: error });
    }
    custom = parseRedactPatterns(text, config.redactPatterns);
  }
  return createRedactor({ mode: config.redact, custom });
}

export async function startProcessor(config: Config, log: Logger): Promise<RunningProcessor> {
  const redactor = await loadRedactor(config);
  const database = await openDatabase(config, log);
  const started: Loop[] = [];
  let server: Server | undefined;
  let lag: EventLoopLag | undefined;
  try {
    // Each pool is sized for its users alone, so none can take another's connections: REST
    // reads cannot starve the OTLP writers, nor a busy stage the API.
    const ingestPool = database.createPool('ingest', config.maxConcurrentWrites);
    const apiPool = database.createPool('api', config.apiConnections);
    const authPool = database.createPool('auth', AUTH_CONNECTIONS);
    const stagePools = STAGES.map((stage) => database.createPool(stage.name, connectionsOf(stage, config)));
    log.info(
      `Postgres connections: ${config.maxConcurrentWrites} OTLP writers, ${config.apiConnections} REST API, ` +
        `${AUTH_CONNECTIONS} API-key checks, ` +
        STAGES.map((stage) => `${connectionsOf(stage, config)} ${stage.name}`).join(', '),
    );

    const migrations = await loadMigrations();
    const applied = await migrate(apiPool, { migrations, log });
    if (applied.length > 0) log.info(`applied migrations: ${applied.join(', ')}`);

    lag = watchEventLoopLag();
    const admission = new WriteAdmission(admissionOptionsOf(config, lag.value));
    const auth = createAuth({ pool: authPool, mode: config.auth });
    const authLine = await checkBind(auth, config.host);
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'flywheel_process_' });
    registerPoolMetrics(registry, [
      { name: 'ingest', pool: ingestPool, max: config.maxConcurrentWrites },
      { name: 'api', pool: apiPool, max: config.apiConnections },
      { name: 'auth', pool: authPool, max: AUTH_CONNECTIONS },
      ...STAGES.map((stage, i) => ({ name: stage.name, pool: stagePools[i]!, max: connectionsOf(stage, config) })),
    ]);
    const app = createApp({
      pool: apiPool,
      ingestPool,
      auth,
      admission,
      metrics: registerApiMetrics(registry, admission, redactionTypes(config, redactor)),
      normalizer: { buildInteractions, spanRoleOf, feedbackFromLogs },
      redactor,
      latestMigration: migrations.at(-1)?.id ?? 0,
      outcomes: outcomesOf(config),
      maxBodyBytes: config.maxBodyBytes,
      writeTimeoutMs: config.writeTimeoutMs,
      retryAfterSeconds: config.retryAfterSeconds,
      maxJsonDepth: config.maxJsonDepth,
      log,
    });
    // Node answers 408 and closes the connection when the headers or the whole request take
    // longer than their timeouts, checked every CONNECTIONS_CHECK_MS; 431 for a head too large.
    const httpServer = createServer(
      {
        requestTimeout: config.requestTimeoutMs,
        headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
        maxHeaderSize: config.maxHeaderBytes,
        connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
      },
      app,
    );
    const listening = await new Promise<Server>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve(httpServer);
      });
    });
    server = listening;
    const address = listening.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    log.info(`storing into ${database.description}`);
    log.info(`listening on ${url} (OTLP/HTTP: ${url}/v1/traces, /v1/logs, /v1/metrics)`);
    log.info(authLine);
    log.info(`PII redaction: ${redactor.enabled ? `${config.redact}${config.redactPatterns ? ` plus patterns of ${config.redactPatterns}` : ''}` : 'off'}`);
    const claimant = processClaimant();
    STAGES.forEach((stage, i) => {
      started.push(startStage(stage, { pool: stagePools[i]!, config, registry, log, claimant }));
    });

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info('shutting down: finishing in-flight requests');
        const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
        // Keep-alive connections become idle as their last response goes out; close them
        // then rather than after the keep-alive timeout.
        const sweep = setInterval(() => listening.closeIdleConnections(), 50);
        listening.closeIdleConnections();
        const timer = setTimeout(() => {
          log.warn(`in-flight requests still running after ${config.shutdownTimeoutMs} ms; closing their connections`);
          listening.closeAllConnections();
        }, config.shutdownTimeoutMs);
        await closed;
        clearInterval(sweep);
        clearTimeout(timer);
        await stopStages(started);
        lag?.stop();
        await database.close();
        log.info('stopped');
      })());
    return { url, database, server: listening, stop };
  } catch (error) {
    // A stage failed to start after the server was listening: take everything down again.
    lag?.stop();
    server?.closeAllConnections();
    server?.close();
    await stopStages(started).catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** The placeholder types the redactor can count: the built-in ones unless off, and the custom names. */
function redactionTypes(config: Config, redactor: Redactor): string[] {
  return [...(config.redact === 'off' ? [] : BUILTIN_TYPES), ...redactor.customTypes];
}

/** Stops started stages in reverse order: a later stage may feed on an earlier one's output. */
async function stopStages(started: Loop[]): Promise<void> {
  for (const stage of started.toReversed()) await stage.stop();
}
