// Real OTel SDK pipelines pointed at a processor: traces, logs and metrics through the
// official OTLP exporters, in either encoding, with or without gzip.
import { type Attributes, context, type Context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPLogExporter as OTLPLogExporterHttp } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as OTLPMetricExporterHttp } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';

export interface SenderOptions {
  url: string;
  encoding: 'protobuf' | 'json';
  gzip: boolean;
  serviceName?: string;
}

export const SENDER_MATRIX: SenderOptions[] = (['protobuf', 'json'] as const).flatMap((encoding) =>
  [false, true].map((gzip) => ({ url: '', encoding, gzip })),
);

export function describeSender(o: Pick<SenderOptions, 'encoding' | 'gzip'>): string {
  return `${o.encoding === 'protobuf' ? 'exporter-*-otlp-proto' : 'exporter-*-otlp-http (JSON)'}${o.gzip ? ' with gzip' : ''}`;
}

function exporterConfig(o: SenderOptions, signal: string) {
  return {
    url: `${o.url}/v1/${signal}`,
    compression: o.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  };
}

function resourceOf(o: SenderOptions) {
  return resourceFromAttributes({ 'service.name': o.serviceName ?? 'support-agent', 'service.version': '1.4.2' });
}

export function traceExporter(o: SenderOptions): SpanExporter {
  return o.encoding === 'protobuf'
    ? new OTLPTraceExporterProto(exporterConfig(o, 'traces'))
    : new OTLPTraceExporterHttp(exporterConfig(o, 'traces'));
}

export function tracerProvider(o: SenderOptions, exporter: SpanExporter = traceExporter(o)): TracerProvider {
  return new TracerProvider({
    resource: resourceOf(o),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
}

export function loggerProvider(o: SenderOptions): LoggerProvider {
  const exporter =
    o.encoding === 'protobuf'
      ? new OTLPLogExporterProto(exporterConfig(o, 'logs'))
      : new OTLPLogExporterHttp(exporterConfig(o, 'logs'));
  return new LoggerProvider({
    resource: resourceOf(o),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000 })],
  });
}

export function meterProvider(o: SenderOptions): MeterProvider {
  const exporter =
    o.encoding === 'protobuf'
      ? new OTLPMetricExporterProto(exporterConfig(o, 'metrics'))
      : new OTLPMetricExporterHttp(exporterConfig(o, 'metrics'));
  return new MeterProvider({
    resource: resourceOf(o),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
}

/** Nanosecond timestamps of the agent trace below, as the SDK records them ([seconds, nanos]). */
export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z in ms

export interface AgentTrace {
  root: Span;
  chat1: Span;
  tool: Span;
  chat2: Span;
}

/**
 * One agent turn in the latest GenAI semantic conventions: invoke_agent -> chat (asks for a
 * tool) -> execute_tool (fails) -> chat (answers). `end` chooses which spans to end, so a
 * test can export the children first and the parent later.
 */
export function startAgentTrace(provider: TracerProvider, options: { conversation: string; user: string }): AgentTrace {
  const tracer = provider.getTracer('@agent-flywheel/instrumentation', '0.1.0');
  const at = (ms: number) => T0 + ms;
  const root = tracer.startSpan(
    'invoke_agent support-agent',
    {
      kind: SpanKind.INTERNAL,
      startTime: at(0),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.agent.name': 'support-agent',
        'gen_ai.agent.id': 'agent-7',
        'gen_ai.conversation.id': options.conversation,
        'user.id': options.user,
        'flywheel.intent': 'order_status',
        'flywheel.confidence': 0.92,
        'flywheel.knowledge.sources': ['kb://orders/faq', 'kb://shipping/policy'],
        'flywheel.prompt.version': 'v3',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'A-1001 has shipped.' }] },
        ]),
      },
    },
    context.active(),
  );
  const inRoot: Context = trace.setSpan(context.active(), root);
  const chat = (startMs: number, attributes: Attributes) =>
    tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, startTime: at(startMs), attributes }, inRoot);
  const chat1 = chat(10, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': 'chatcmpl-1',
    'gen_ai.response.finish_reasons': ['tool_calls'],
    'gen_ai.usage.input_tokens': 120,
    'gen_ai.usage.output_tokens': 15,
    'gen_ai.usage.cache_read.input_tokens': 100,
    'gen_ai.request.temperature': 0.2,
    'gen_ai.request.stream': true,
    'gen_ai.response.time_to_first_chunk': 0.05,
    'server.address': 'api.openai.com',
    'server.port': 443,
  });
  chat1.addEvent('gen_ai.content.note', { 'note.flag': true, 'note.count': 3 }, at(20));
  const tool = tracer.startSpan(
    'execute_tool lookup_order',
    {
      kind: SpanKind.INTERNAL,
      startTime: at(300),
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup_order',
        'gen_ai.tool.call.id': 'call_7',
        'gen_ai.tool.type': 'function',
        'error.type': 'TimeoutError',
      },
      links: [{ context: chat1.spanContext(), attributes: { 'link.reason': 'requested_by' } }],
    },
    inRoot,
  );
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'order service timed out' });
  const chat2 = chat(600, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': 'chatcmpl-2',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 180,
    'gen_ai.usage.output_tokens': 22,
  });
  return { root, chat1, tool, chat2 };
}

/** Ends the spans at fixed times: chat1 at 290 ms, tool at 550 ms, chat2 at 900 ms, root at 1000 ms. */
export function endAgentTrace(t: AgentTrace, which: (keyof AgentTrace)[] = ['chat1', 'tool', 'chat2', 'root']): void {
  const ends: Record<keyof AgentTrace, number> = { chat1: 290, tool: 550, chat2: 900, root: 1000 };
  for (const name of which) t[name].end(T0 + ends[name]);
}
