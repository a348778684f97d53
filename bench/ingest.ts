// Ingest benchmark: ~200k GenAI spans in OTLP protobuf batches of 512, posted by several
// concurrent clients to the processor (a child process) on an embedded Postgres; in the
// same run the baseline, a raw COPY of the same rows into the same tables with the same
// batch size and concurrency. Prints spans/s for both, the ratio, and the processor's
// peak RSS.   npm run bench:ingest [-- --spans 200000 --clients 4]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { buildInteractions } from '../processor/src/normalize/index.ts';
import { decodeTraces } from '../processor/src/otlp/index.ts';
import type { SpanRecord } from '../processor/src/otlp/records.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { interactionToRow } from '../processor/src/store/interactions/rows.ts';
import { migrate } from '../processor/src/store/migrate.ts';
import { spanToRow } from '../processor/src/store/telemetry/rows.ts';
import { freePort } from '../test/harness.ts';
import { postBatches, startProcessorProcess } from './processor-process.ts';

const { values: args } = parseArgs({
  options: {
    spans: { type: 'string', default: '200000' },
    clients: { type: 'string', default: '4' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:ingest [-- --spans N --clients K]\n');
  process.exit(0);
}
const TOTAL_SPANS = Number(args.spans);
const CLIENTS = Number(args.clients);
const BATCH = 512;
const SPANS_PER_TRACE = 4;

const log = (line: string) => process.stderr.write(`${line}\n`);

// --- 1. Batches, built by the real SDK and serialized by the real OTLP protobuf serializer.
function makeBatches(): Uint8Array[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '1.4.2', 'deployment.environment': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@agent-flywheel/instrumentation', '0.1.0');
  const batches: Uint8Array[] = [];
  const tracesPerBatch = BATCH / SPANS_PER_TRACE;
  for (let made = 0; made < TOTAL_SPANS; made += BATCH) {
    for (let k = 0; k < tracesPerBatch; k++) {
      const n = made / SPANS_PER_TRACE + k;
      const root = tracer.startSpan('invoke_agent support-agent', {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.provider.name': 'openai',
          'gen_ai.agent.name': 'support-agent',
          'gen_ai.conversation.id': `conv-${n % 5000}`,
          'user.id': `user-${n % 700}`,
          'flywheel.intent': ['order_status', 'refund', 'shipping'][n % 3]!,
          'flywheel.confidence': 0.5 + (n % 50) / 100,
        },
      });
      const inRoot = trace.setSpan(context.active(), root);
      for (const [input, output] of [
        [350 + (n % 100), 40],
        [420 + (n % 90), 85],
      ] as const) {
        const chat = tracer.startSpan(
          'chat gpt-4o-mini',
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
              'gen_ai.response.id': `chatcmpl-${n}-${input}`,
              'gen_ai.response.finish_reasons': ['stop'],
              'gen_ai.request.temperature': 0.2,
              'gen_ai.request.max_tokens': 512,
              'gen_ai.usage.input_tokens': input,
              'gen_ai.usage.output_tokens': output,
              'gen_ai.usage.cache_read.input_tokens': 128,
              'server.address': 'api.openai.com',
              'server.port': 443,
              'openai.api.type': 'chat_completions',
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
            'gen_ai.tool.type': 'function',
          },
        },
        inRoot,
      );
      tool.end();
      root.end();
    }
    const spans = exporter.getFinishedSpans();
    batches.push(ProtobufTraceSerializer.serializeRequest([...spans])!);
    exporter.reset();
  }
  return batches;
}

// --- 2. Our path: the processor as its own process, fed by CLIENTS concurrent posters.
async function runProcessor(databaseUrl: string, batches: Uint8Array[]) {
  const processor = await startProcessorProcess(databaseUrl);
  const started = performance.now();
  const { retries } = await postBatches(processor.url, batches, CLIENTS);
  const seconds = (performance.now() - started) / 1000;
  const status = await readFile(`/proc/${processor.child.pid}/status`, 'utf8');
  const peakRssMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  await processor.stop();
  return { seconds, retries, peakRssMb };
}

// --- 3. Baseline: the same span and interaction rows, COPY'd in batches of the same size.
const SPAN_COLUMNS = [
  'project_id', 'trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'start_time_unix_nano', 'end_time_unix_nano', 'status_code',
  'status_message', 'trace_state', 'flags', 'attributes', 'events', 'links', 'dropped_attributes_count',
  'dropped_events_count', 'dropped_links_count', 'resource', 'scope', 'service_name',
] as const;

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    value = `{${value.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
  } else if (typeof value === 'object') {
    value = JSON.stringify(value);
  }
  return `"${String(value).replaceAll('"', '""')}"`;
}

async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: Record<string, unknown>[]) {
  const lines = rows.map((row) => `${columns.map((c) => csvField(row[c])).join(',')}\n`);
  await pipeline(Readable.from(lines), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`)));
}

async function runCopyBaseline(pool: pg.Pool, batches: Uint8Array[]) {
  // Row preparation (decode, normalize) is not timed: the baseline is Postgres's COPY alone.
  const prepared = batches.map((body) => {
    const spans = decodeTraces(body, 'protobuf').items;
    const byTrace = new Map<string, SpanRecord[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    const interactions = [...byTrace.values()].flatMap((t) => buildInteractions(t, []));
    return {
      spans: spans.map((s) => ({ project_id: 1, ...spanToRow(s) }) as Record<string, unknown>),
      interactions: interactions.map((i) => ({ project_id: 1, ...interactionToRow(i) })),
    };
  });
  const interactionColumns = Object.keys(prepared[0]!.interactions[0]!);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = await pool.connect();
      try {
        while (next < prepared.length) {
          const batch = prepared[next++]!;
          await client.query('BEGIN');
          await copyRows(client, 'spans', SPAN_COLUMNS, batch.spans);
          await copyRows(client, 'interactions', interactionColumns, batch.interactions);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000 };
}

async function main() {
  log(`building ${TOTAL_SPANS} spans in batches of ${BATCH}...`);
  const batches = makeBatches();
  const spanCount = batches.length * BATCH;
  const bytes = batches.reduce((n, b) => n + b.length, 0);
  log(`${batches.length} batches, ${(bytes / spanCount).toFixed(0)} bytes per span on the wire`);

  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-'));
  const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
  const pool = new pg.Pool({ connectionString: postgres.url, max: CLIENTS + 1 });
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
    const truncate = () => pool.query('TRUNCATE spans, interactions, log_records CASCADE');

    log('baseline: COPY...');
    const copy = await runCopyBaseline(pool, batches);
    await truncate();
    await pool.query('CHECKPOINT');

    log(`ours: ${CLIENTS} clients posting to the processor...`);
    const ours = await runProcessor(postgres.url, batches);
    const stored = await pool.query<{ spans: number; interactions: number }>(
      'SELECT (SELECT count(*) FROM spans)::int AS spans, (SELECT count(*) FROM interactions)::int AS interactions',
    );
    if (stored.rows[0]!.spans !== spanCount) throw new Error(`stored ${stored.rows[0]!.spans} spans, expected ${spanCount}`);

    const oursRate = spanCount / ours.seconds;
    const copyRate = spanCount / copy.seconds;
    process.stdout.write(
      [
        `spans:                ${spanCount} (${batches.length} batches of ${BATCH}, ${CLIENTS} clients)`,
        `interactions stored:  ${stored.rows[0]!.interactions}`,
        `processor (OTLP):     ${oursRate.toFixed(0)} spans/s (${ours.seconds.toFixed(2)} s, ${ours.retries} retries after 503)`,
        `baseline (raw COPY):  ${copyRate.toFixed(0)} spans/s (${copy.seconds.toFixed(2)} s)`,
        `ratio ours/COPY:      ${(oursRate / copyRate).toFixed(2)} (target >= 0.5)`,
        `processor peak RSS:   ${ours.peakRssMb.toFixed(0)} MB (target < 512 MB)`,
        '',
      ].join('\n'),
    );
  } finally {
    await pool.end();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
