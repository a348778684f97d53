// Scoring benchmark, two phases in one run on one embedded Postgres:
// 1. throughput: 100k interactions stored (half with captured content, conversations of four
//    turns, some tool failures, cut-off answers, feedback and expected outputs), all due, scored
//    by the real scoring worker (scoreBatch, the default batch size) until the queue is empty;
// 2. sustained ingest: the processor as its own process, fed OTLP protobuf batches by several
//    concurrent clients as fast as it takes them, scoring in the background; the lag from an
//    interaction's last ingest to its scoring, and whether scoring keeps up.
// Prints interactions/s of both and the ratio scoring rate / ingest rate (target >= 1).
//   npm run bench:score [-- --interactions 100000 --ingest 40000 --clients 4 --workers 2]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { Registry } from 'prom-client';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { loadConfig } from '../processor/src/config/config.ts';
import type { Interaction } from '../processor/src/normalize/interaction.ts';
import { registerScoreMetrics } from '../processor/src/score/metrics.ts';
import { scoreBatch } from '../processor/src/score/worker.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { interactionToRow } from '../processor/src/store/interactions/rows.ts';
import { migrate } from '../processor/src/store/migrate.ts';
import { toPostgresJson } from '../processor/src/store/telemetry/rows.ts';
import { freePort } from '../test/harness.ts';
import { postBatches, startProcessorProcess } from './processor-process.ts';

const { values: args } = parseArgs({
  options: {
    interactions: { type: 'string', default: '100000' },
    ingest: { type: 'string', default: '40000' },
    clients: { type: 'string', default: '4' },
    workers: { type: 'string', default: '2' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:score [-- --interactions N --ingest M --clients K --workers W]\n');
  process.exit(0);
}
const STORED = Number(args.interactions);
const INGESTED = Number(args.ingest);
const CLIENTS = Number(args.clients);
const WORKERS = Number(args.workers);
const TURNS_PER_TRACE_BATCH = 128; // 512 spans per OTLP request, 4 spans per turn
const SETTLE_MS = 1_000;
const POLL_MS = 100;

const log = (line: string) => process.stderr.write(`${line}\n`);

const QUESTIONS = [
  'Where is my order A-1001?',
  'How long does shipping to Berlin take?',
  'Can I return shoes I bought last month? And who pays the return shipping?',
  'Why was my card charged twice for order A-2040?',
  'Do you ship to Canada?',
];
const ANSWERS = [
  'Order A-1001 shipped with DHL and should arrive on 2 May.',
  'Shipping to Berlin takes 2 to 4 business days.',
  'Yes, shoes can be returned within 30 days; the return label is free.',
  'The second charge on your card is a pre-authorisation and will disappear within 3 days.',
  'Yes, we ship to Canada; delivery takes about a week.',
];

// --- Phase 1 fixtures: interactions built in code, stored with one INSERT per 5000 rows.
function storedInteraction(n: number, now: number): Interaction {
  const session = Math.floor(n / 4);
  const turnInSession = n % 4;
  const withContent = n % 2 === 0;
  const q = n % QUESTIONS.length;
  const traceId = n.toString(16).padStart(32, '0');
  const spanId = (n + 1).toString(16).padStart(16, '0');
  return {
    id: `${traceId}-${spanId}`,
    traceId,
    spanId,
    operation: 'invoke_agent',
    name: 'invoke_agent support-agent',
    startTimeUnixNano: BigInt(now - 3_600_000 + turnInSession * 30_000) * 1_000_000n,
    responseTimeMs: 1_500,
    timeToFirstTokenMs: null,
    sessionId: `conv-${session}`,
    userId: `user-${session % 700}`,
    agentName: ['support-agent', 'billing-agent'][n % 2]!,
    agentId: null,
    serviceName: 'support-agent',
    serviceVersion: '1.4.2',
    systemInstructions: null,
    // Every third turn asks the previous question again: a retry for the implicit signals.
    userInput: withContent ? [{ role: 'user', parts: [{ type: 'text', content: QUESTIONS[turnInSession % 3 === 2 ? (q + 4) % 5 : q]! }] }] : null,
    response: withContent ? [{ role: 'assistant', parts: [{ type: 'text', content: ANSWERS[q]! }], finish_reason: 'stop' }] : null,
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    provider: 'openai',
    inputTokens: 420,
    outputTokens: 85,
    cacheReadInputTokens: null,
    cacheCreationInputTokens: null,
    reasoningOutputTokens: null,
    finishReasons: [n % 20 === 7 ? 'length' : 'stop'],
    tools: [
      {
        name: 'lookup_order', callId: `call_${n}`, spanId: (n + 2).toString(16).padStart(16, '0'), durationMs: 120,
        error: n % 10 === 3 ? 'TimeoutError' : null, arguments: null, result: null,
      },
    ],
    intent: 'order_status',
    confidence: 0.9,
    knowledgeSources: ['kb://shipping'],
    promptVersion: 'v3',
    expectedOutput: n % 20 === 0 ? ANSWERS[q]! : null,
    status: n % 10 === 3 ? 'error' : 'unset',
    errorType: n % 10 === 3 ? 'TimeoutError' : null,
    errorMessage: null,
    spanIds: [spanId],
    events: [],
    conventions: ['genai-semconv'],
    subAgents: [],
  };
}

async function storeInteractions(pool: pg.Pool): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < STORED; start += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, STORED - start) }, (_, k) => storedInteraction(start + k, now));
    const rows = batch.map(interactionToRow);
    const columns = Object.keys(rows[0]!);
    await pool.query(
      `INSERT INTO interactions (project_id, ${columns.join(', ')})
       SELECT 1, ${columns.join(', ')} FROM jsonb_populate_recordset(null::interactions, $1::jsonb)`,
      [toPostgresJson(rows)],
    );
    // One in ten gets user feedback: a rating, some with a correction.
    const feedback = batch.filter((_, k) => (start + k) % 10 === 1).map((i, k) => ({
      idempotency_key: `bench-${i.id}`, trace_id: i.traceId, span_id: i.spanId, source: 'api', name: 'user_feedback',
      score: (k % 5) / 4, rating: (k % 5) + 1, correction: k % 3 === 0 ? 'Tracking number DHL 123' : null,
    }));
    await pool.query(
      `INSERT INTO feedback (project_id, idempotency_key, trace_id, span_id, source, name, score, rating, correction)
       SELECT 1, idempotency_key, trace_id, span_id, source, name, score, rating, correction FROM jsonb_populate_recordset(null::feedback, $1::jsonb)`,
      [JSON.stringify(feedback)],
    );
  }
  await pool.query(
    `INSERT INTO score_queue (project_id, interaction_id, changed_at, reason)
     SELECT project_id, id, now() - interval '1 hour', 'ingest' FROM interactions`,
  );
  await pool.query('VACUUM ANALYZE');
}

async function scoreStored(pool: pg.Pool): Promise<{ seconds: number; batches: number }> {
  const config = { ...loadConfig({}), scoreSettleMs: SETTLE_MS };
  const metrics = registerScoreMetrics(new Registry(), async () => 0);
  const options = { pool, config, metrics, log: silentLogger, judging: false, claimant: 'bench' };
  let batches = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while ((await scoreBatch(options)) > 0) batches++;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, batches };
}

// --- Phase 2 fixtures: agent turns recorded by the real SDK, serialized as OTLP protobuf.
function makeOtlpBatches(): Uint8Array[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '1.4.2' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@agent-flywheel/instrumentation', '0.1.0');
  const batches: Uint8Array[] = [];
  for (let made = 0; made < INGESTED; made += TURNS_PER_TRACE_BATCH) {
    for (let k = 0; k < TURNS_PER_TRACE_BATCH; k++) {
      const n = made + k;
      const q = n % QUESTIONS.length;
      const root = tracer.startSpan('invoke_agent support-agent', {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'support-agent',
          'gen_ai.conversation.id': `live-${Math.floor(n / 4)}`,
          'user.id': `user-${n % 700}`,
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: QUESTIONS[q] }] }]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWERS[q] }], finish_reason: 'stop' }]),
        },
      });
      const inRoot = trace.setSpan(context.active(), root);
      for (const output of [40, 85]) {
        tracer
          .startSpan('chat gpt-4o-mini', {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.usage.input_tokens': 400, 'gen_ai.usage.output_tokens': output, 'gen_ai.response.finish_reasons': ['stop'],
            },
          }, inRoot)
          .end();
      }
      const tool = tracer.startSpan('execute_tool lookup_order', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order' } }, inRoot);
      if (n % 10 === 3) tool.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' }).setAttribute('error.type', 'TimeoutError');
      tool.end();
      root.end();
    }
    batches.push(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans() as never)!);
    exporter.reset();
  }
  return batches;
}

async function sustainedIngest(databaseUrl: string, pool: pg.Pool, batches: Uint8Array[]) {
  const processor = await startProcessorProcess(databaseUrl, {
    FLYWHEEL_SCORE_SETTLE_MS: String(SETTLE_MS),
    FLYWHEEL_SCORE_POLL_MS: String(POLL_MS),
    FLYWHEEL_SCORE_WORKERS: String(WORKERS),
  });
  const scoredCount = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM interaction_scores')).rows[0]!.n;
  const started = performance.now();
  await postBatches(processor.url, batches, CLIENTS);
  const ingestSeconds = (performance.now() - started) / 1000;
  // Backlog: interactions settled (due) by the end of ingest but not scored yet.
  const backlog = await pool.query<{ due: number; unscored: number }>(
    `SELECT count(*)::int AS due, count(*) FILTER (WHERE s.interaction_id IS NULL)::int AS unscored
     FROM interactions i LEFT JOIN interaction_scores s ON s.interaction_id = i.id
     WHERE i.updated_at <= now() - $1 * interval '1 millisecond'`,
    [SETTLE_MS],
  );
  const scoredAtIngestEnd = await scoredCount();
  while ((await scoredCount()) < INGESTED) await new Promise((r) => setTimeout(r, 100));
  const allScoredSeconds = (performance.now() - started) / 1000;
  const lag = await pool.query<{ p50: number; p95: number; max: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY l) AS p95, max(l) AS max
     FROM (SELECT extract(epoch FROM s.first_scored_at - i.updated_at) AS l FROM interaction_scores s JOIN interactions i ON i.id = s.interaction_id) x`,
  );
  await processor.stop();
  return { ingestSeconds, scoredAtIngestEnd, backlog: backlog.rows[0]!, allScoredSeconds, lag: lag.rows[0]! };
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-score-'));
  const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
  const pool = new pg.Pool({ connectionString: postgres.url, max: WORKERS + 2 });
  try {
    await migrate(pool);
    log(`phase 1: storing ${STORED} interactions...`);
    await storeInteractions(pool);
    log(`phase 1: scoring them with ${WORKERS} worker(s)...`);
    const stored = await scoreStored(pool);
    const scored = (await pool.query<{ n: number; eligible: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE eligible)::int AS eligible FROM interaction_scores`,
    )).rows[0]!;
    if (scored.n !== STORED) throw new Error(`scored ${scored.n} of ${STORED}`);
    await pool.query('TRUNCATE interactions, spans, log_records, feedback, score_queue, interaction_scores, judgements');
    await pool.query('CHECKPOINT');

    log(`phase 2: building ${INGESTED} agent turns as OTLP batches...`);
    const batches = makeOtlpBatches();
    log(`phase 2: ${CLIENTS} clients posting to the processor, which scores as it goes (settle ${SETTLE_MS} ms)...`);
    const live = await sustainedIngest(postgres.url, pool, batches);

    const scoreRate = STORED / stored.seconds;
    const ingestRate = INGESTED / live.ingestSeconds;
    process.stdout.write(
      [
        `phase 1, stored:      ${STORED} interactions scored in ${stored.seconds.toFixed(2)} s (${stored.batches} batches, ${WORKERS} worker(s); ${scored.eligible} eligible)`,
        `  scoring rate:       ${scoreRate.toFixed(0)} interactions/s`,
        `phase 2, live:        ${INGESTED} interactions (${INGESTED * 4} spans) over OTLP from ${CLIENTS} clients, scored in the same process`,
        `  ingest rate:        ${ingestRate.toFixed(0)} interactions/s (${live.ingestSeconds.toFixed(2)} s)`,
        `  at ingest end:      ${live.scoredAtIngestEnd} scored; backlog ${live.backlog.unscored} of ${live.backlog.due} settled interactions unscored`,
        `  all scored:         ${(live.allScoredSeconds - live.ingestSeconds).toFixed(2)} s after ingest ended (settle delay ${SETTLE_MS / 1000} s)`,
        `  lag ingest->scored: p50 ${live.lag.p50.toFixed(2)} s, p95 ${live.lag.p95.toFixed(2)} s, max ${Number(live.lag.max).toFixed(2)} s (settle delay included)`,
        `ratio scoring/ingest: ${(scoreRate / ingestRate).toFixed(2)} (phase 1 scoring rate / phase 2 ingest rate; target >= 1)`,
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
