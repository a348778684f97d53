// A decoded ExportLogsServiceRequest to LogRecords. No record is rejected: trace and span ids are
// optional (opentelemetry-proto logs.proto, LogRecord.trace_id/span_id); bad ones unlink the record.
import type { Decoded, LogRecord, ResourceRecord, ScopeRecord } from './records.ts';
import { toAttributeValue, toAttributes } from './any-value.ts';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, hexId } from './ids.ts';
import { timestampOrUnknown } from './int64.ts';
import { toResourceRecord, toScopeRecord } from './resource.ts';
import type { WireLogRecord, WireLogsRequest } from './wire.ts';

const NONE: readonly never[] = [];

/** Every log record of the request, in order. */
export function logsFromRequest(request: WireLogsRequest): Decoded<LogRecord> {
  const items: LogRecord[] = [];
  for (const resourceLogs of request.resource_logs ?? NONE) {
    const resource = toResourceRecord(resourceLogs.resource, resourceLogs.schema_url);
    for (const scopeLogs of resourceLogs.scope_logs ?? NONE) {
      const scope = toScopeRecord(scopeLogs.scope, scopeLogs.schema_url);
      for (const log of scopeLogs.log_records ?? NONE) items.push(toLogRecord(log, resource, scope));
    }
  }
  return { items, rejections: [] };
}

function toLogRecord(log: WireLogRecord, resource: ResourceRecord, scope: ScopeRecord): LogRecord {
  const traceId = hexId(log.trace_id, TRACE_ID_BYTES);
  // A span id means nothing without its trace id.
  const spanId = traceId === null ? null : hexId(log.span_id, SPAN_ID_BYTES);
  return {
    timeUnixNano: timestampOrUnknown(log.time_unix_nano),
    observedTimeUnixNano: timestampOrUnknown(log.observed_time_unix_nano),
    severityNumber: log.severity_number ?? 0,
    severityText: log.severity_text ?? '',
    body: toAttributeValue(log.body),
    attributes: toAttributes(log.attributes),
    droppedAttributesCount: log.dropped_attributes_count ?? 0,
    flags: log.flags ?? 0,
    traceId,
    spanId,
    eventName: log.event_name ?? '',
    resource,
    scope,
  };
}
