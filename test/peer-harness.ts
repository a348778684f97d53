// Shared setup of the peer-instrumentation e2e tests (test/peer-*.test.ts): the real processor on
// embedded Postgres, the local OpenAI-compatible server, and the app's telemetry pipeline: either
// ours (the OTel SDK 3.x providers of otel-senders.ts, traces, logs and metrics through the
// official OTLP/protobuf exporters (traces switchable to OTLP/JSON between turns, useEncoding()),
// registered globally as an app's SDK start would), or, for
// libraries that bring their own SDK (OpenLIT, the Traceloop SDK), theirs, handed in with
// useAppTelemetry(). Each scenario runs inside one non-GenAI span (an HTTP handler) started
// through the app's OTel API, so one trace holds exactly the spans of that scenario.
//
// FLYWHEEL_RECORD_PEER_FIXTURES=1 writes each recorded trace, as stored by the processor, to
// processor/test/fixtures/peers/<name>.json: the captured spans the adapter unit tests read.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as otelApi from '@opentelemetry/api';
import { context, logs, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type OpenAIServer, startOpenAIServer } from '../instrumentation/test/openai-server.ts';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { loggerProvider, meterProvider, traceExporter, tracerProvider } from './otel-senders.ts';
import { type TestProcessor, startProcessor } from './harness.ts';

const FIXTURES = fileURLToPath(new URL('../processor/test/fixtures/peers/', import.meta.url));
const RECORD = process.env.FLYWHEEL_RECORD_PEER_FIXTURES === '1';

export type Row = Record<string, unknown>;

/** The OTel API instance and flush of the pipeline the instrumented app uses. */
export interface AppTelemetry {
  /** A peer that bundles its own @opentelemetry/api copy registers the globals through that copy. */
  api: Pick<typeof otelApi, 'context' | 'trace'>;
  flush(): Promise<void>;
}

export interface PeerSession {
  processor: TestProcessor;
  model: OpenAIServer;
  /**
   * Runs `scenario` inside a handler span, exports everything, and returns the trace's stored
   * interactions in start order. With `fixture`, the trace is recorded under that name when
   * recording is on.
   */
  turn(scenario: () => Promise<unknown>, fixture?: string): Promise<{ traceId: string; interactions: Row[] }>;
  /** Sends the traces of the following turns in this OTLP encoding (protobuf at the start). */
  useEncoding(encoding: 'protobuf' | 'json'): void;
  /** Uses a library's own SDK pipeline instead of ours for the following turns. */
  useAppTelemetry(app: AppTelemetry): void;
  /** Exports what our pipeline holds: for a library pipeline beside ours (its flush then calls this too). */
  flushOwnPipeline(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `ownPipeline: false` leaves the OTel globals alone, for a library whose SDK registers them
 * through its own @opentelemetry/api copy (ours, 1.10, could not read them back).
 */
export async function startPeerSession(serviceName: string, options: { ownPipeline?: boolean } = {}): Promise<PeerSession> {
  const processor = await startProcessor();
  const model = await startOpenAIServer();
  const sender = { url: processor.url, encoding: 'protobuf' as const, gzip: false, serviceName };
  const exporters = {
    protobuf: traceExporter(sender),
    json: traceExporter({ ...sender, encoding: 'json' }),
  };
  let encoding: 'protobuf' | 'json' = 'protobuf';
  const switching: SpanExporter = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) => exporters[encoding].export(spans, done),
    shutdown: async () => {
      await Promise.all([exporters.protobuf.shutdown(), exporters.json.shutdown()]);
    },
  };
  const tracers = tracerProvider(sender, switching);
  const loggers = loggerProvider(sender);
  const meters = meterProvider(sender);
  if (options.ownPipeline !== false) {
    // What an SDK's start() does: peers that take no provider find these through the API.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    trace.setGlobalTracerProvider(tracers);
    logs.setGlobalLoggerProvider(loggers);
    metrics.setGlobalMeterProvider(meters);
  }

  const flushOwnPipeline = async () => {
    await tracers.forceFlush();
    await loggers.forceFlush();
    await meters.forceFlush();
  };
  let app: AppTelemetry = { api: otelApi, flush: flushOwnPipeline };
  return {
    processor,
    model,
    useEncoding(next) {
      encoding = next;
    },
    flushOwnPipeline,
    useAppTelemetry(next) {
      app = next;
    },
    async turn(scenario, fixture) {
      const { context: appContext, trace: appTrace } = app.api;
      const handler = appTrace.getTracer('peer-e2e').startSpan('POST /ask');
      try {
        await appContext.with(appTrace.setSpan(appContext.active(), handler), scenario);
      } finally {
        handler.end();
      }
      await app.flush();
      const traceId = handler.spanContext().traceId;
      if (RECORD && fixture !== undefined) await record(processor, traceId, fixture);
      const interactions = await processor.query(
        'SELECT * FROM interactions WHERE trace_id = $1 ORDER BY start_time_unix_nano, span_id',
        [traceId],
      );
      return { traceId, interactions };
    },
    async stop() {
      await Promise.allSettled([tracers.shutdown(), loggers.shutdown(), meters.shutdown()]);
      await model.close();
      await processor.stop();
    },
  };
}

/** The stored spans and log records of one trace, as the processor's rows. */
async function record(processor: TestProcessor, traceId: string, name: string): Promise<void> {
  const spans = await processor.query(
    `SELECT trace_id, span_id, parent_span_id, name, kind, start_time_unix_nano, end_time_unix_nano, status_code,
       status_message, trace_state, flags, attributes, events, links, dropped_attributes_count, dropped_events_count,
       dropped_links_count, resource, scope, service_name
     FROM spans WHERE trace_id = $1 ORDER BY start_time_unix_nano, span_id`,
    [traceId],
  );
  const logRecords = await processor.query(
    `SELECT content_hash, trace_id, span_id, time_unix_nano, observed_time_unix_nano, severity_number, severity_text,
       event_name, body, attributes, dropped_attributes_count, flags, resource, scope
     FROM log_records WHERE trace_id = $1 ORDER BY time_unix_nano, content_hash`,
    [traceId],
  );
  await mkdir(FIXTURES, { recursive: true });
  await writeFile(`${FIXTURES}${name}.json`, `${JSON.stringify({ spans, logs: logRecords }, null, 2)}\n`);
}

/** The fields of an interaction row that tests assert exactly (ids, times and spans left out). */
export function fieldsOf(row: Row): Row {
  const {
    project_id: _p, id: _id, trace_id: _t, span_id: _s, start_time: _st, start_time_unix_nano: _sn, response_time_ms: _r,
    time_to_first_token_ms: _ttft, span_ids: _ids, created_at: _c, updated_at: _u, tools: _tools, ...fields
  } = row;
  return fields;
}

/** Tool calls of an interaction row, without span ids and durations. */
export function toolsOf(row: Row): Row[] {
  return (row.tools as Row[]).map(({ spanId: _s, durationMs: _d, ...tool }) => tool);
}
