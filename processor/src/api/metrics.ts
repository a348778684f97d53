// The HTTP doors' metrics, registered into the processor's registry (service.ts creates it;
// each stage registers its own), served at GET /metrics in the Prometheus text format.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REJECT_REASONS } from '../otlp/records.ts';
import type { WriteAdmission } from './admission.ts';

/** The outcomes of an OTLP request but the unexpected (`status_<code>`). */
const OTLP_OUTCOMES = ['accepted', 'bad_request', 'unauthenticated', 'forbidden', 'too_large', 'unsupported_media_type', 'unavailable'];

export interface ProcessorMetrics {
  registry: Registry;
  otlpRequests: Counter<'signal' | 'outcome'>;
  /** `reason` (a RejectReason) is set on `result="rejected"` only. */
  otlpItems: Counter<'signal' | 'result' | 'reason'>;
  /** From the request's arrival to its response (decode, admission wait, the write and its commit). */
  otlpDuration: Histogram<'signal'>;
  /** flywheel_redactions_total: values replaced by a placeholder at ingest, by type (EMAIL, CARD, a custom name...). */
  redactions: Counter<'type'>;
}

/** `redactionTypes`: the placeholder types redaction can count, each series created at 0. */
export function registerApiMetrics(registry: Registry, admission: WriteAdmission, redactionTypes: readonly string[] = []): ProcessorMetrics {
  const otlpRequests = new Counter({
    name: 'flywheel_otlp_requests_total',
    help: 'OTLP export requests by signal and outcome (accepted, bad_request, too_large, unavailable, unsupported_media_type)',
    labelNames: ['signal', 'outcome'],
    registers: [registry],
  });
  // Each signal's outcomes exist from the start, at 0, so a rate of 503s (backpressure) is defined
  // before the first one; outcomeOf in otlp-receiver.ts names them.
  for (const signal of ['traces', 'logs', 'metrics']) {
    for (const outcome of OTLP_OUTCOMES) otlpRequests.inc({ signal, outcome }, 0);
  }
  const otlpItems = new Counter({
    name: 'flywheel_otlp_items_total',
    help: 'Spans, log records and data points received, by result (stored, duplicate, rejected) and, when rejected, reason',
    labelNames: ['signal', 'result', 'reason'],
    registers: [registry],
  });
  // Every rejection series exists from the start, at 0, so a rate over it is defined before the
  // first bad span. Only spans are ever rejected (otlp/records.ts).
  for (const reason of REJECT_REASONS) otlpItems.inc({ signal: 'traces', result: 'rejected', reason }, 0);
  const otlpDuration = new Histogram({
    name: 'flywheel_otlp_request_duration_seconds',
    help: 'Duration of OTLP export requests by signal, from arrival to response (the 200 goes out after the commit)',
    labelNames: ['signal'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const redactions = new Counter({
    name: 'flywheel_redactions_total',
    help: 'Values replaced by a placeholder before storage (OTLP spans, log records, data points and REST feedback), by type',
    labelNames: ['type'],
    registers: [registry],
  });
  for (const type of redactionTypes) redactions.inc({ type }, 0);
  new Gauge({
    name: 'flywheel_otlp_writes_in_flight',
    help: 'OTLP batches being written to Postgres',
    registers: [registry],
    collect() {
      this.set(admission.running);
    },
  });
  new Gauge({
    name: 'flywheel_otlp_writes_queued',
    help: 'OTLP batches waiting for a writer',
    registers: [registry],
    collect() {
      this.set(admission.queued);
    },
  });
  new Gauge({
    name: 'flywheel_otlp_pending_bytes',
    help: 'Bytes of OTLP request bodies held in memory',
    registers: [registry],
    collect() {
      this.set(admission.pendingBytes);
    },
  });
  return { registry, otlpRequests, otlpItems, otlpDuration, redactions };
}

/**
 * flywheel_interaction_build_failures_total: traces stored whose interactions could not all be
 * built (GET /api/ingest/failures lists them), by the signal of the batch that tried.
 */
export function buildFailureCounter(registry: Registry): Counter<'signal'> {
  const counter = new Counter({
    name: 'flywheel_interaction_build_failures_total',
    help: 'Traces stored of which some interactions could not be built (the normalize stage threw), by the signal of the batch',
    labelNames: ['signal'],
    registers: [registry],
  });
  // Both series exist from the start, at 0, so a rate over them is defined before the first failure.
  for (const signal of ['traces', 'logs']) counter.inc({ signal }, 0);
  return counter;
}
