// The OTLP/HTTP door: POST /v1/traces, /v1/logs, /v1/metrics. A straight line: pick the
// codec by Content-Type, read the body within limits, decode (400 on failure), redact, wait
// for a writer (503 when overloaded), write in one transaction, and answer 200 only after COMMIT.
import express, { type Request, type Response } from 'express';
import type pg from 'pg';
import type { Counter } from 'prom-client';
import { type Logger, throttled } from '../runtime/logger.ts';
import {
  decodeLogs,
  decodeMetrics,
  decodeTraces,
  encodeExportResponse,
  encodeStatus,
  OtlpDecodeError,
  type OtlpEncoding,
  type OtlpSignal,
} from '../otlp/index.ts';
import type { Decoded, Rejection } from '../otlp/records.ts';
import { type RedactionCounts, type Redactor, redactLogs, redactMetricPoints, redactSpans } from '../redact/index.ts';
import { INGEST_SETTINGS, writeLogs, writeMetricPoints, writeSpans, type WriteResult } from '../store/telemetry/write.ts';
import type { Normalizer } from '../store/interactions/refresh.ts';
import { inTransaction } from '../store/transaction.ts';
import type { WriteAdmission } from './admission.ts';
import type { Auth } from './auth.ts';
import { discardRest, readBody } from './body.ts';
import { classifyDatabaseError, errorToLog, HttpError } from './errors.ts';
import type { ProcessorMetrics } from './metrics.ts';

export interface ReceiverOptions {
  pool: pg.Pool;
  auth: Auth;
  admission: WriteAdmission;
  normalizer: Normalizer;
  /** Applied to every decoded record before it is written. */
  redactor: Redactor;
  maxBodyBytes: number;
  writeTimeoutMs: number;
  retryAfterSeconds: number;
  metrics: ProcessorMetrics;
  /** flywheel_interaction_build_failures_total (buildFailureCounter). */
  buildFailures: Counter<'signal'>;
  log: Logger;
}

interface Signal<T> {
  name: OtlpSignal;
  /** What one item is called in messages: span, log record, data point. */
  item: string;
  decode(body: Uint8Array, encoding: OtlpEncoding): Decoded<T>;
  redact(redactor: Redactor, items: T[], counts: RedactionCounts): T[];
  write(client: pg.PoolClient, projectId: number, items: T[], normalizer: Normalizer): Promise<WriteResult>;
}

/** The receiver's log function for 503s, throttled (one line a second at most). */
interface Throttled {
  warnUnavailable(message: string): void;
}

interface SignalRoute {
  name: OtlpSignal;
  receive(req: Request, res: Response, options: ReceiverOptions & Throttled): Promise<void>;
}

/** Binds a signal's decoder and writer (of one record type) into a route. */
function route<T>(signal: Signal<T>): SignalRoute {
  return { name: signal.name, receive: (req, res, options) => receive(signal, req, res, options) };
}

const SIGNALS: readonly SignalRoute[] = [
  route({ name: 'traces', item: 'span', decode: decodeTraces, redact: redactSpans, write: writeSpans }),
  route({ name: 'logs', item: 'log record', decode: decodeLogs, redact: redactLogs, write: writeLogs }),
  route({
    name: 'metrics',
    item: 'data point',
    decode: decodeMetrics,
    redact: redactMetricPoints,
    write: (client, projectId, points) => writeMetricPoints(client, projectId, points),
  }),
];

/** Media type (parameters such as charset ignored) -> OTLP encoding. */
const ENCODINGS: Record<string, OtlpEncoding | undefined> = {
  'application/x-protobuf': 'protobuf',
  'application/json': 'json',
};

/** At most this many rejection reasons are listed in a partial_success message. */
const MAX_LISTED_REASONS = 10;

/** 503s are logged at most once a second: under overload every shed batch would log a line. */
const UNAVAILABLE_LOG_EVERY_MS = 1000;

export function otlpReceiver(receiverOptions: ReceiverOptions): express.Router {
  const router = express.Router();
  const options = { ...receiverOptions, warnUnavailable: throttled((m) => receiverOptions.log.warn(m), UNAVAILABLE_LOG_EVERY_MS) };
  for (const signal of SIGNALS) {
    const path = `/v1/${signal.name}`;
    router.post(path, (req, res) => {
      signal.receive(req, res, options).catch((error: unknown) => {
        options.log.error(`${path}: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) res.status(500).end();
      });
    });
    router.all(path, (_req, res) => {
      res.status(405).set('Allow', 'POST').type('text/plain').send('405 method not allowed, supported: [POST]');
    });
  }
  return router;
}

async function receive<T>(signal: Signal<T>, req: Request, res: Response, options: ReceiverOptions & Throttled): Promise<void> {
  const { admission, metrics } = options;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const encoding = ENCODINGS[mediaType];
  const timer = metrics.otlpDuration.startTimer({ signal: signal.name });
  let reserved = 0;
  try {
    // The key is checked first, before the body is read: an unauthenticated sender costs no decoding.
    const { projectId } = await options.auth.authorize(req.headers, 'ingest');
    if (!encoding) {
      throw new HttpError(415, `unsupported Content-Type '${mediaType || '(none)'}'; use application/x-protobuf or application/json`);
    }
    admission.checkCapacity();
    const body = await readBody(req, {
      maxBytes: options.maxBodyBytes,
      reserve: (bytes) => {
        admission.reserveBytes(bytes);
        reserved += bytes;
      },
    });
    const decoded = signal.decode(body, encoding);
    const redactions: RedactionCounts = new Map();
    const items = signal.redact(options.redactor, decoded.items, redactions);
    for (const [type, n] of redactions) metrics.redactions.inc({ type }, n);
    const result = await admission.run(() =>
      inTransaction(
        options.pool,
        options.writeTimeoutMs,
        (client) => signal.write(client, projectId, items, options.normalizer),
        INGEST_SETTINGS,
      ),
    );
    metrics.otlpRequests.inc({ signal: signal.name, outcome: 'accepted' });
    metrics.otlpItems.inc({ signal: signal.name, result: 'stored' }, result.stored);
    metrics.otlpItems.inc({ signal: signal.name, result: 'duplicate' }, result.duplicates);
    // The batch is committed either way: a build failure is the processor's to fix, not the sender's.
    if (result.buildFailures > 0) {
      options.buildFailures.inc({ signal: signal.name }, result.buildFailures);
      options.log.warn(`${req.path}: interactions of ${result.buildFailures} trace(s) could not be built; see GET /api/ingest/failures`);
    }
    const { rejections } = decoded;
    for (const r of rejections) metrics.otlpItems.inc({ signal: signal.name, result: 'rejected', reason: r.reason });
    const message = rejectionMessage(signal.item, rejections);
    res.status(200).type(mediaTypeOf(encoding)).send(Buffer.from(encodeExportResponse(signal.name, rejections.length, message, encoding)));
  } catch (error) {
    const failure =
      error instanceof OtlpDecodeError
        ? new HttpError(400, `could not decode the ${signal.name} request as ${encoding}: ${error.message}`)
        : classifyDatabaseError(error, options.retryAfterSeconds, 'write');
    if (res.headersSent || res.destroyed) return;
    metrics.otlpRequests.inc({ signal: signal.name, outcome: outcomeOf(failure.status) });
    // The client gets the reason class; the log gets the error itself (a 500 is a bug: its stack).
    if (failure.status === 500) options.log.error(`${req.path}: ${failure.message}: ${errorToLog(failure)}`);
    else if (failure.status >= 500) options.warnUnavailable(`${req.path}: ${failure.status} ${failure.message}${causeOf(failure)}`);
    else options.log.debug(`${req.path}: ${failure.status} ${failure.message}`);
    discardRest(req, options.maxBodyBytes);
    if (failure.retryAfterSeconds !== undefined) res.set('Retry-After', String(failure.retryAfterSeconds));
    sendStatus(res, failure.status, failure.message, encoding ?? 'json');
  } finally {
    admission.releaseBytes(reserved);
    timer();
  }
}

/** ` (the underlying error's message)` when the failure reports another error, for a one-line log. */
function causeOf(failure: HttpError): string {
  return failure.cause instanceof Error ? ` (${failure.cause.message})` : '';
}

/** The partial_success message: how many were rejected and the first reasons, e.g. "2 span(s) rejected: span 4: ...". */
function rejectionMessage(item: string, rejections: readonly Rejection[]): string {
  if (rejections.length === 0) return '';
  const listed = rejections.slice(0, MAX_LISTED_REASONS).map((r) => `${item} ${r.index}: ${r.message}`);
  const more = rejections.length > MAX_LISTED_REASONS ? `; and ${rejections.length - MAX_LISTED_REASONS} more` : '';
  return `${rejections.length} ${item}(s) rejected: ${listed.join('; ')}${more}`;
}

function sendStatus(res: Response, status: number, message: string, encoding: OtlpEncoding): void {
  res.status(status).type(mediaTypeOf(encoding)).send(Buffer.from(encodeStatus(GRPC_CODES[status] ?? 2, message, encoding)));
}

/**
 * google.rpc.Code for the Status body (OTLP/HTTP clients read only the HTTP status; 401 and 403
 * are not among the retryable statuses of the OTLP/HTTP spec, so a client drops the batch).
 */
const GRPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

function mediaTypeOf(encoding: OtlpEncoding): string {
  return encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

/** Bounded label values for the requests counter. */
function outcomeOf(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
    case 503:
      return 'unavailable';
    default:
      return `status_${status}`;
  }
}
