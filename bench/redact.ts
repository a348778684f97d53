// Redaction benchmark: the same OTLP protobuf batches of GenAI spans with message content (some
// of it personal data), (1) decoded with and without redaction in this process, and (2) posted
// to the processor (a child process on embedded Postgres) with FLYWHEEL_REDACT=off, default,
// strict and off again, each into a fresh database. Prints spans/s of each and the ratios
// against off, the baseline of the same run.   npm run bench:redact [-- --spans 40000 --clients 4]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { decodeTraces } from '../processor/src/otlp/index.ts';
import { createRedactor, type RedactMode, redactSpans } from '../processor/src/redact/index.ts';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { freePort } from '../test/harness.ts';
import { postBatches, startProcessorProcess } from './processor-process.ts';

const { values: args } = parseArgs({
  options: {
    spans: { type: 'string', default: '40000' },
    clients: { type: 'string', default: '4' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:redact [-- --spans N --clients K]\n');
  process.exit(0);
}
const TOTAL_SPANS = Number(args.spans);
const CLIENTS = Number(args.clients);
const BATCH = 512;
const SPANS_PER_TRACE = 4;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A user's turn: three in four mention an email, a phone number or a card; the fourth is plain text with numbers. */
function userText(n: number): string {
  const plain = `Where is my order A-${100000 + n}? It was placed on 2026-11-${String(1 + (n % 28)).padStart(2, '0')} and cost 49.90 EUR.`;
  switch (n % 4) {
    case 0:
      return `${plain} Please write to customer${n}@example.com.`;
    case 1:
      return `${plain} Call me on +44 20 7946 ${String(n % 10000).padStart(4, '0')}.`;
    case 2:
      return `${plain} I paid with 4111 1111 1111 1111.`;
    default:
      return `${plain} Thanks, version 2.4.1 of the app.`;
  }
}

function makeBatches(): Uint8Array[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '1.4.2', 'host.name': 'agent-7' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@agent-flywheel/instrumentation', '0.1.0');
  const batches: Uint8Array[] = [];
  for (let made = 0; made < TOTAL_SPANS; made += BATCH) {
    for (let k = 0; k < BATCH / SPANS_PER_TRACE; k++) {
      const n = made / SPANS_PER_TRACE + k;
      const input = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: userText(n) }] }]);
      const output = JSON.stringify([
        { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: `Order A-${100000 + n} shipped on 2026-11-30; tracking 1Z999AA1012345678${n % 10}.` }] },
      ]);
      const root = tracer.startSpan('invoke_agent support-agent', {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'support-agent',
          'gen_ai.conversation.id': `conv-${n % 5000}`,
          'user.id': `user-${n % 700}`,
          'gen_ai.input.messages': input,
          'gen_ai.output.messages': output,
        },
      });
      const inRoot = trace.setSpan(context.active(), root);
      for (const step of [0, 1]) {
        const chat = tracer.startSpan(
          'chat gpt-4o-mini',
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
              'gen_ai.response.id': `chatcmpl-${n}-${step}`,
              'gen_ai.usage.input_tokens': 350 + step,
              'gen_ai.usage.output_tokens': 40,
              'gen_ai.input.messages': input,
              'server.address': 'api.openai.com',
              'server.port': 443,
            },
          },
          inRoot,
        );
        chat.end();
      }
      const tool = tracer.startSpan(
        'execute_tool lookup_order',
        {
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'lookup_order',
            'gen_ai.tool.call.id': `call_${n}`,
            'gen_ai.tool.call.arguments': JSON.stringify({ order: `A-${100000 + n}` }),
            'gen_ai.tool.call.result': JSON.stringify({ status: 'shipped', carrier: 'UPS', eta: '2026-12-02' }),
          },
        },
        inRoot,
      );
      tool.end();
      root.end();
    }
    batches.push(ProtobufTraceSerializer.serializeRequest([...exporter.getFinishedSpans()])!);
    exporter.reset();
  }
  return batches;
}

/** Decode (and redact) every batch `rounds` times; spans per second. */
function decodeRate(batches: Uint8Array[], mode: RedactMode, rounds: number): { spansPerSecond: number; redacted: number } {
  const redactor = createRedactor({ mode });
  const counts = new Map<string, number>();
  let spans = 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const batch of batches) {
      const decoded = decodeTraces(batch, 'protobuf').items;
      spans += redactSpans(redactor, decoded, counts).length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { spansPerSecond: spans / seconds, redacted: [...counts.values()].reduce((a, b) => a + b, 0) / rounds };
}

log(`building ${TOTAL_SPANS} spans in batches of ${BATCH}`);
const batches = makeBatches();
const bytes = batches.reduce((n, b) => n + b.length, 0);
log(`${batches.length} batches, ${(bytes / TOTAL_SPANS).toFixed(0)} bytes per span`);

// Warm-up, then alternate the modes so drift on a shared machine hits each alike.
decodeRate(batches.slice(0, 10), 'default', 1);
const cpu: Record<RedactMode, { spansPerSecond: number; redacted: number }[]> = { off: [], default: [], strict: [] };
for (let round = 0; round < 3; round++) {
  for (const mode of ['off', 'default', 'strict'] as const) cpu[mode].push(decodeRate(batches, mode, 1));
}
const best = (runs: { spansPerSecond: number }[]) => Math.max(...runs.map((r) => r.spansPerSecond));

const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-redact-'));
const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
const ingestRuns: Record<RedactMode, number[]> = { off: [], default: [], strict: [] };
try {
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  // Off runs first and last: later runs share the cluster with the earlier runs' checkpoints,
  // so the baseline is the mean of both ends.
  const order = ['off', 'default', 'strict', 'off'] as const;
  for (const [i, mode] of order.entries()) {
    await admin.query(`CREATE DATABASE bench_${i}_${mode}`);
    const url = new URL(postgres.url);
    url.pathname = `/bench_${i}_${mode}`;
    const processor = await startProcessorProcess(url.toString(), { FLYWHEEL_REDACT: mode, FLYWHEEL_SCORE_WORKERS: '0' });
    const started = performance.now();
    await postBatches(processor.url, batches, CLIENTS);
    const rate = TOTAL_SPANS / ((performance.now() - started) / 1000);
    ingestRuns[mode].push(rate);
    await processor.stop();
    log(`ingest with FLYWHEEL_REDACT=${mode}: ${rate.toFixed(0)} spans/s`);
  }
  await admin.end();
} finally {
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ingest = { off: mean(ingestRuns.off), default: mean(ingestRuns.default), strict: mean(ingestRuns.strict) };
const off = best(cpu.off);
const lines = [
  `spans: ${TOTAL_SPANS} (${batches.length} protobuf batches of ${BATCH}), redactions per pass: default ${cpu.default[0]!.redacted}, strict ${cpu.strict[0]!.redacted}`,
  `decode only (off):        ${off.toFixed(0)} spans/s`,
  `decode + redact default:  ${best(cpu.default).toFixed(0)} spans/s  ratio ${(best(cpu.default) / off).toFixed(2)}`,
  `decode + redact strict:   ${best(cpu.strict).toFixed(0)} spans/s  ratio ${(best(cpu.strict) / off).toFixed(2)}`,
  `ingest off:               ${ingest.off.toFixed(0)} spans/s (mean of ${ingestRuns.off.map((r) => r.toFixed(0)).join(' and ')})`,
  `ingest default:           ${ingest.default.toFixed(0)} spans/s  ratio ${(ingest.default / ingest.off).toFixed(2)}`,
  `ingest strict:            ${ingest.strict.toFixed(0)} spans/s  ratio ${(ingest.strict / ingest.off).toFixed(2)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
