// Redaction of decoded OTLP records before they are stored: every free-text field of a span
// (attributes, event and link attributes, status message), a log record (body, attributes) and
// a metric point (attributes), and the resource and scope attributes they carry. Names (span,
// event, metric, scope) and ids are kept: they are chosen by code, not typed by people.
import type { LogRecord, MetricPointRecord, ResourceRecord, ScopeRecord, SpanRecord } from '../otlp/records.ts';
import type { RedactionCounts, Redactor } from './redactor.ts';

/** Redacts one batch; the records of a batch share resource and scope objects, each redacted (and counted) once. */
class BatchRedaction {
  private readonly resources = new Map<ResourceRecord, ResourceRecord>();
  private readonly scopes = new Map<ScopeRecord, ScopeRecord>();
  constructor(
    readonly redactor: Redactor,
    readonly counts: RedactionCounts,
  ) {}

  resource(resource: ResourceRecord): ResourceRecord {
    let done = this.resources.get(resource);
    if (!done) {
      done = { ...resource, attributes: this.redactor.attributes(resource.attributes, this.counts) };
      this.resources.set(resource, done);
    }
    return done;
  }

  scope(scope: ScopeRecord): ScopeRecord {
    let done = this.scopes.get(scope);
    if (!done) {
      done = { ...scope, attributes: this.redactor.attributes(scope.attributes, this.counts) };
      this.scopes.set(scope, done);
    }
    return done;
  }
}

/** The spans with their free text redacted; `counts` gets each redaction. */
export function redactSpans(unscoped: Redactor, spans: SpanRecord[], counts: RedactionCounts): SpanRecord[] {
  if (!unscoped.enabled) return spans;
  const redactor = unscoped.scoped();
  const batch = new BatchRedaction(redactor, counts);
  return spans.map((span) => ({
    ...span,
    attributes: redactor.attributes(span.attributes, counts),
    events: span.events.map((event) => ({ ...event, attributes: redactor.attributes(event.attributes, counts) })),
    links: span.links.map((link) => ({ ...link, attributes: redactor.attributes(link.attributes, counts) })),
    status: { code: span.status.code, message: redactor.text(span.status.message, counts) },
    resource: batch.resource(span.resource),
    scope: batch.scope(span.scope),
  }));
}

/** The log records with body and attributes redacted. */
export function redactLogs(unscoped: Redactor, logs: LogRecord[], counts: RedactionCounts): LogRecord[] {
  if (!unscoped.enabled) return logs;
  const redactor = unscoped.scoped();
  const batch = new BatchRedaction(redactor, counts);
  return logs.map((log) => ({
    ...log,
    body: redactor.value(log.body, counts),
    attributes: redactor.attributes(log.attributes, counts),
    resource: batch.resource(log.resource),
    scope: batch.scope(log.scope),
  }));
}

/** The data points with their attributes redacted (values and exemplars are numbers and ids). */
export function redactMetricPoints(unscoped: Redactor, points: MetricPointRecord[], counts: RedactionCounts): MetricPointRecord[] {
  if (!unscoped.enabled) return points;
  const redactor = unscoped.scoped();
  const batch = new BatchRedaction(redactor, counts);
  return points.map((point) => ({
    ...point,
    attributes: redactor.attributes(point.attributes, counts),
    resource: batch.resource(point.resource),
    scope: batch.scope(point.scope),
  }));
}
