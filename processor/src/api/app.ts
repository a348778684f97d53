// The HTTP application: OTLP under /v1, REST under /api, health and metrics at the root.
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import type { Outcomes } from '../mine/report.ts';
import { createRedactor, type Redactor } from '../redact/index.ts';
import type { Logger } from '../runtime/logger.ts';
import { type SchemaState, schemaState } from '../store/migrate.ts';
import type { Normalizer } from '../store/interactions/refresh.ts';
import type { WriteAdmission } from './admission.ts';
import type { Auth } from './auth.ts';
import { datasetRoutes } from './datasets.ts';
import { classifyDatabaseError, errorToLog, HttpError } from './errors.ts';
import { feedbackRoutes } from './feedback.ts';
import { ingestFailureRoutes } from './ingest-failures.ts';
import { interactionRoutes } from './interactions.ts';
import { knowledgeRoutes } from './knowledge.ts';
import { latencyRoutes } from './latency.ts';
import { buildFailureCounter, type ProcessorMetrics } from './metrics.ts';
import { miningRoutes } from './mining.ts';
import { otlpReceiver } from './otlp-receiver.ts';
import { reportRoutes } from './report.ts';
import { scoreRoutes } from './scores.ts';
import { sourceRoutes } from './sources.ts';
import { variantRoutes } from './variants.ts';

export interface AppOptions {
  /** The REST API's and /readyz's connections. */
  pool: pg.Pool;
  auth: Auth;
  /** The OTLP writers' connections: as many as writers, used by nothing else. */
  ingestPool: pg.Pool;
  admission: WriteAdmission;
  metrics: ProcessorMetrics;
  normalizer: Normalizer;
  /** PII redaction of OTLP records and REST feedback before they are written; none when absent. */
  redactor?: Redactor;
  latestMigration: number;
  /** What the report, variants and hand-offs count as a success and a failure (the mining settings). */
  outcomes: Outcomes;
  maxBodyBytes: number;
  writeTimeoutMs: number;
  retryAfterSeconds: number;
  /** Deepest nesting a REST JSON body may have (json-body.ts). */
  maxJsonDepth: number;
  log: Logger;
}

/**
 * Security headers on every answer. The API serves JSON, protobuf and Prometheus text, never
 * HTML: nothing may be framed, sniffed as another type, load anything or be cached on the way
 * (answers carry a project's data); the server is not named. Strict-Transport-Security is left
 * to the proxy that terminates TLS (the processor itself speaks plain HTTP).
 */
const securityHeaders = [
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  }),
  (_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  },
];

export function createApp(appOptions: AppOptions): express.Express {
  const options = { ...appOptions, redactor: appOptions.redactor ?? createRedactor({ mode: 'off' }) };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders);

  app.use(otlpReceiver({ ...options, pool: options.ingestPool, buildFailures: buildFailureCounter(options.metrics.registry) }));

  /** Liveness: the process is up and serving HTTP. */
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // A prober asks every few seconds: the log says when the database became unreachable and when
  // it answered again, not once per probe.
  let unreachable = false;
  /** Readiness: the database answers, every migration is applied, and none newer breaks this processor. */
  app.get('/readyz', async (_req, res) => {
    let state: SchemaState;
    try {
      state = await schemaState(options.pool, options.latestMigration);
    } catch (error) {
      // The error can name the database host and port: it goes to the log, not to the prober.
      if (!unreachable) options.log.warn(`/readyz: database unreachable: ${(error as Error).message}`);
      unreachable = true;
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
      return;
    }
    if (unreachable) options.log.info('/readyz: the database answers again');
    unreachable = false;
    if (state === 'pending') {
      res.status(503).json({ status: 'unavailable', reason: 'migrations are not applied yet' });
    } else if (state === 'incompatible') {
      const reason = 'the database schema has a breaking migration newer than this processor; upgrade it';
      res.status(503).json({ status: 'unavailable', reason });
    } else {
      res.json({ status: 'ok' });
    }
  });

  /** Prometheus metrics of the processor itself. */
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  // Every /api route names the permission it needs (api/auth.ts); the doors above need none.
  app.use('/api', interactionRoutes(options.pool, options.auth));
  app.use('/api', feedbackRoutes(options));
  app.use('/api', scoreRoutes(options.pool, options.auth));
  app.use('/api', ingestFailureRoutes(options.pool, options.auth));
  app.use('/api', datasetRoutes(options.pool, options.auth));
  app.use('/api', knowledgeRoutes(options));
  app.use('/api', miningRoutes(options.pool, options.auth, options.outcomes));
  app.use('/api', reportRoutes(options.pool, options.auth, options.outcomes));
  app.use('/api', variantRoutes(options.pool, options.auth, options.outcomes));
  app.use('/api', latencyRoutes(options.pool, options.auth));
  app.use('/api', sourceRoutes(options));

  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));

  // The one place REST errors become responses: { error: message }.
  // Errors with an HTTP `status` (HttpError, express.json's 400/413) say it themselves; any
  // other is classified like on the OTLP door: the database down or overloaded is a 503 to
  // retry, refused data a 400, anything else an internal error (500).
  app.use((thrown: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error =
      thrown instanceof HttpError || typeof (thrown as { status?: unknown } | null)?.status === 'number'
        ? thrown
        : classifyDatabaseError(thrown, options.retryAfterSeconds, 'read');
    const status = error instanceof HttpError ? error.status : (error as { status?: number }).status ?? 500;
    const message = error instanceof Error ? error.message : String(error);
    if (status >= 500) options.log.error(`${req.method} ${req.path}: ${message}: ${errorToLog(error)}`);
    if (res.headersSent) return;
    if (error instanceof HttpError && error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
    if (status === 401) res.set('WWW-Authenticate', 'Bearer');
    res.status(status).json({ error: status >= 500 && !(error instanceof HttpError) ? 'internal error' : message });
  });

  return app;
}
