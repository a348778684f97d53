// A minimal OTLP/HTTP receiver for tests: keeps every export request (path, headers, body) and
// decodes OTLP/JSON bodies into plain spans and log records. Protobuf bodies are kept raw.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

type Attributes = Record<string, unknown>;

export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Attributes;
  resource: Attributes;
  scope: string;
}

export interface ReceivedLog {
  eventName: string | undefined;
  traceId: string;
  spanId: string;
  attributes: Attributes;
  resource: Attributes;
}

export interface OtlpReceiver {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  logs(): ReceivedLog[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    const json = req.headers['content-type'] === 'application/json';
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const jsonBodies = (path: string) =>
    requests
      .filter((r) => r.path === path && r.headers['content-type'] === 'application/json')
      .map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown[]>);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      jsonBodies('/v1/traces').flatMap((body) =>
        (body.resourceSpans as OtlpResourceSpans[]).flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((s) => ({
              name: s.name,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              attributes: plain(s.attributes),
              resource: plain(rs.resource.attributes),
              scope: ss.scope.name,
            })),
          ),
        ),
      ),
    logs: () =>
      jsonBodies('/v1/logs').flatMap((body) =>
        (body.resourceLogs as OtlpResourceLogs[]).flatMap((rl) =>
          rl.scopeLogs.flatMap((sl) =>
            sl.logRecords.map((l) => ({
              eventName: l.eventName,
              traceId: l.traceId ?? '',
              spanId: l.spanId ?? '',
              attributes: plain(l.attributes),
              resource: plain(rl.resource.attributes),
            })),
          ),
        ),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpResourceSpans {
  resource: { attributes?: OtlpKeyValue[] };
  scopeSpans: {
    scope: { name: string };
    spans: { name: string; traceId: string; spanId: string; parentSpanId?: string; attributes?: OtlpKeyValue[] }[];
  }[];
}
interface OtlpResourceLogs {
  resource: { attributes?: OtlpKeyValue[] };
  scopeLogs: { logRecords: { eventName?: string; traceId?: string; spanId?: string; attributes?: OtlpKeyValue[] }[] }[];
}

function plain(attributes: OtlpKeyValue[] | undefined): Attributes {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, anyValue(value)]));
}

function anyValue(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  return undefined;
}
