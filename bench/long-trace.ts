// Long-trace benchmark: does a batch cost more when much of its trace is already stored?
// One run, one embedded Postgres, the processor as its own process, one client posting OTLP
// protobuf batches one at a time (each timed from request to 200):
// 1. long: one trace of 10,000 spans in 200 batches of 50, as an agent that keeps a whole
//    session in one trace exports it: many turns (an invoke_agent over chat and tool spans),
//    each exported as its spans end, under a session span that ends (and arrives) last;
// 2. short: 50 traces of 200 spans of the same shape, sent the same way (200 batches of 50).
// Prints the mean time per batch of the last 20 batches of the long trace over its first 20
// (target <= 1.5; the medians too, which one slow batch moves less), spans/s of both shapes and
// their ratio.
//   npm run bench:long-trace [-- --spans 10000 --batch 50 --short-spans 200]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Context, context, type Span, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { freePort } from '../test/harness.ts';
import { postBatches, startProcessorProcess } from './processor-process.ts';

const { values: args } = parseArgs({
  options: {
    spans: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '50' },
    'short-spans': { type: 'string', default: '200' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:long-trace [-- --spans N --batch B --short-spans M]\n');
  process.exit(0);
}
const LONG_SPANS = Number(args.spans);
const BATCH = Number(args.batch);
const SHORT_SPANS = Number(args['short-spans']);
const SHORT_TRACES = LONG_SPANS / SHORT_SPANS;
/** Batches at each end of the long trace whose times are compared. */
const WINDOW = 20;
/** Short traces sent first and not counted, so that neither shape pays for a cold start. */
const WARMUP_TRACES = 5;
/** Spans of one turn: invoke_agent, chat, execute_tool, chat. */
const TURN_SPANS = 4;

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The spans of one session trace of `total` spans, in the order they end (the order an SDK's
 * batch processor exports them): each turn's calls, then the turn, and the session last.
 */
function sessionTrace(tracer: Tracer, exporter: InMemorySpanExporter, total: number, session: number): ReadableSpan[] {
  const turns = Math.floor((total - 1) / TURN_SPANS);
  const extraTools = total - 1 - turns * TURN_SPANS;
  const root = tracer.startSpan('session', { kind: SpanKind.SERVER, attributes: { 'session.id': `session-${session}` } });
  const inRoot = trace.setSpan(context.active(), root);
  for (let n = 0; n < turns; n++) {
    const agent = tracer.startSpan(
      'invoke_agent support-agent',
      {
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.provider.name': 'openai',
          'gen_ai.agent.name': 'support-agent',
          'gen_ai.conversation.id': `session-${session}`,
          'user.id': `user-${session}`,
        },
      },
      inRoot,
    );
    const inAgent = trace.setSpan(context.active(), agent);
    chat(tracer, inAgent, `${session}-${n}-a`, 350 + (n % 100)).end();
    for (let t = 0; t < 1 + (n === turns - 1 ? extraTools : 0); t++) {
      tracer.startSpan(
        'execute_tool lookup_order',
        {
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'lookup_order',
            'gen_ai.tool.call.id': `call_${session}_${n}_${t}`,
            'gen_ai.tool.type': 'function',
          },
        },
        inAgent,
      ).end();
    }
    chat(tracer, inAgent, `${session}-${n}-b`, 420 + (n % 90)).end();
    agent.end();
  }
  root.end();
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  if (spans.length !== total) throw new Error(`built ${spans.length} spans, expected ${total}`);
  return [...spans];
}

function chat(tracer: Tracer, parent: Context, responseId: string, inputTokens: number): Span {
  return tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': `chatcmpl-${responseId}`,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': inputTokens,
        'gen_ai.usage.output_tokens': 60,
      },
    },
    parent,
  );
}

function batchesOf(spans: ReadableSpan[]): Uint8Array[] {
  const batches: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += BATCH) batches.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + BATCH))!);
  return batches;
}

/** Posts the batches one after the other; the time of each, in ms. */
async function postTimed(url: string, batches: Uint8Array[]): Promise<number[]> {
  const times: number[] = [];
  for (const batch of batches) {
    const started = performance.now();
    await postBatches(url, [batch], 1);
    times.push(performance.now() - started);
  }
  return times;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function main() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '1.4.2' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@agent-flywheel/instrumentation', '0.1.0');
  const warmup = Array.from({ length: WARMUP_TRACES }, (_, i) => batchesOf(sessionTrace(tracer, exporter, SHORT_SPANS, -1 - i))).flat();
  const long = batchesOf(sessionTrace(tracer, exporter, LONG_SPANS, 0));
  const short = Array.from({ length: SHORT_TRACES }, (_, i) => batchesOf(sessionTrace(tracer, exporter, SHORT_SPANS, i + 1))).flat();
  log(`long: 1 trace of ${LONG_SPANS} spans in ${long.length} batches; short: ${SHORT_TRACES} traces of ${SHORT_SPANS} spans in ${short.length} batches`);

  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-'));
  const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  pool.on('error', () => undefined);
  // Scoring is off so that only ingest is timed (it would start once interactions settle).
  const processor = await startProcessorProcess(postgres.url, { FLYWHEEL_SCORE_WORKERS: '0' });
  try {
    log(`warm-up: ${WARMUP_TRACES} short traces (not counted)...`);
    await postTimed(processor.url, warmup);
    log('long trace...');
    const longTimes = await postTimed(processor.url, long);
    log('short traces...');
    const shortTimes = await postTimed(processor.url, short);

    const stored = await pool.query<{ spans: number; interactions: number }>(
      'SELECT (SELECT count(*) FROM spans)::int AS spans, (SELECT count(*) FROM interactions)::int AS interactions',
    );
    const expectedSpans = (SHORT_TRACES + WARMUP_TRACES) * SHORT_SPANS + LONG_SPANS;
    if (stored.rows[0]!.spans !== expectedSpans) throw new Error(`stored ${stored.rows[0]!.spans} spans, expected ${expectedSpans}`);

    const first = mean(longTimes.slice(0, WINDOW));
    const last = mean(longTimes.slice(-WINDOW));
    const longRate = LONG_SPANS / (sum(longTimes) / 1000);
    const shortRate = LONG_SPANS / (sum(shortTimes) / 1000);
    process.stdout.write(
      [
        `long trace:           ${LONG_SPANS} spans, ${long.length} batches of ${BATCH}`,
        `short traces:         ${SHORT_TRACES} x ${SHORT_SPANS} spans, ${short.length} batches of ${BATCH}`,
        `interactions stored:  ${stored.rows[0]!.interactions}`,
        `long, per batch:      first ${WINDOW} ${first.toFixed(1)} ms, last ${WINDOW} ${last.toFixed(1)} ms (medians ${median(longTimes.slice(0, WINDOW)).toFixed(1)}, ${median(longTimes.slice(-WINDOW)).toFixed(1)})`,
        `ratio last/first:     ${(last / first).toFixed(2)} (target <= 1.5)`,
        `long:                 ${longRate.toFixed(0)} spans/s (${(sum(longTimes) / 1000).toFixed(2)} s)`,
        `short:                ${shortRate.toFixed(0)} spans/s (${(sum(shortTimes) / 1000).toFixed(2)} s)`,
        `ratio long/short:     ${(longRate / shortRate).toFixed(2)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await processor.stop();
    await pool.end();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
