// Training datasets end to end: turns in over OTLP, scored by the real score stage, a correction
// through POST /api/feedback, then GET /api/datasets/openai-chat and /preference validated line by
// line against the documented shapes; and `flywheel export` of 100k interactions inserted
// directly, in a child process
// whose peak RSS is printed at 10k and at 100k. Real processor, real embedded Postgres.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { z } from 'zod';
import { migrate } from '../processor/src/store/migrate.ts';
import { BIN } from './cli-process.ts';
import { type TestProcessor, startPostgres, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, waitFor } from './score-fixtures.ts';

// The documented shapes (README "Training datasets"), strict: no field beyond them.
const toolCall = z.object({ id: z.string().min(1), type: z.literal('function'), function: z.object({ name: z.string().min(1), arguments: z.string() }).strict() }).strict();
const chatMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string().min(1) }).strict(),
  z.object({ role: z.literal('user'), content: z.string().min(1) }).strict(),
  z.object({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(toolCall).min(1).optional() }).strict(),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: z.string() }).strict(),
]);
const chatLine = z
  .object({ messages: z.array(chatMessage).min(2), tools: z.array(z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }).strict() }).strict()).optional() })
  .strict()
  .refine((l) => l.messages.at(-1)?.role === 'assistant' && l.messages.some((m) => m.role === 'user'), 'ends with the answer, after a user message');
const assistantText = z.object({ role: z.literal('assistant'), content: z.string().min(1) }).strict();
const preferenceLine = z
  .object({ input: z.object({ messages: z.array(chatMessage).min(1) }).strict(), preferred_output: z.tuple([assistantText]), non_preferred_output: z.tuple([assistantText]) })
  .strict();

async function ndjson(response: Response): Promise<unknown[]> {
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
  const body = await response.text();
  assert.ok(body === '' || body.endsWith('\n'));
  return body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
}

describe('over HTTP', () => {
  let processor: TestProcessor;
  const eligible = Array.from({ length: 6 }, (_, i) => contentTurn({ agent: 'support-agent', question: `Where is order A-${i}?`, answer: `Order A-${i} shipped with DHL.`, expected: `A-${i} shipped with DHL` }));
  const corrected = contentTurn({ agent: 'support-agent', question: 'When does A-9 arrive?', answer: 'A-9 arrives tomorrow.' });
  const otherAgent = contentTurn({ agent: 'billing-agent', question: 'Where is order B-1?', answer: 'Order B-1 shipped with DHL.', expected: 'B-1 shipped with DHL' });
  before(async () => {
    processor = await startProcessor({ settings: { FLYWHEEL_SCORE_SETTLE_MS: '200', FLYWHEEL_SCORE_POLL_MS: '50' } });
    const all = [...eligible, corrected, otherAgent];
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(all.flatMap((t) => t.spans) as never[]))).status, 200);
    const feedback = await postJson(`${processor.url}/api/feedback`, { interactionId: corrected.id, thumbs: 'down', correction: 'A-9 arrives on 2 May with UPS.' });
    assert.equal(feedback.status, 201);
    await waitFor('every turn scored', async () => {
      const [row] = await processor.query<{ n: number }>('SELECT count(*)::int AS n FROM interaction_scores');
      return row?.n === all.length ? true : undefined;
    });
  });
  after(async () => {
    await processor.stop();
  });

  test('openai-chat has one valid line per gate-eligible interaction of the agent, and nothing else', async () => {
    const lines = await ndjson(await fetch(`${processor.url}/api/datasets/openai-chat?agent=support-agent`));
    const [{ n }] = (await processor.query<{ n: number }>("SELECT count(*)::int AS n FROM interaction_scores s JOIN interactions i ON i.id = s.interaction_id WHERE s.eligible AND i.agent_name = 'support-agent'")) as [{ n: number }];
    assert.equal(n, eligible.length);
    assert.equal(lines.length, eligible.length);
    for (const line of lines) chatLine.parse(line);
    const first = chatLine.parse(lines[0]);
    assert.deepEqual(first.tools, [{ type: 'function', function: { name: 'lookup_order' } }]);
    assert.deepEqual(first.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant']);
    const questions = lines.map((l) => chatLine.parse(l).messages[0]?.content).sort();
    assert.deepEqual(questions, eligible.map((_, i) => `Where is order A-${i}?`));
  });

  test('preference has the correction preferred over the answer given', async () => {
    const lines = await ndjson(await fetch(`${processor.url}/api/datasets/preference?agent=support-agent`));
    assert.equal(lines.length, 1);
    const line = preferenceLine.parse(lines[0]);
    assert.deepEqual(line.input.messages.slice(0, 1), [{ role: 'user', content: 'When does A-9 arrive?' }]);
    assert.deepEqual(line.preferred_output, [{ role: 'assistant', content: 'A-9 arrives on 2 May with UPS.' }]);
    assert.deepEqual(line.non_preferred_output, [{ role: 'assistant', content: 'A-9 arrives tomorrow.' }]);
  });

  test('the train and validation splits partition the dataset, the same way on every request', async () => {
    const url = `${processor.url}/api/datasets/openai-chat?agent=support-agent&validationFraction=0.5`;
    const [train, validation, again] = await Promise.all([ndjson(await fetch(`${url}&split=train`)), ndjson(await fetch(`${url}&split=validation`)), ndjson(await fetch(`${url}&split=validation`))]);
    assert.equal(train.length + validation.length, eligible.length);
    assert.deepEqual(again, validation);
  });

  test('since, until and min-quality filter; bad options are a 400 naming them', async () => {
    assert.deepEqual(await ndjson(await fetch(`${processor.url}/api/datasets/openai-chat?agent=support-agent&since=2100-01-01T00:00:00Z`)), []);
    assert.equal((await ndjson(await fetch(`${processor.url}/api/datasets/openai-chat?agent=support-agent&until=2100-01-01T00:00:00Z&min-quality=0.5`))).length, eligible.length);
    assert.equal((await ndjson(await fetch(`${processor.url}/api/datasets/openai-chat?agent=billing-agent&minQuality=0`))).length, 1);
    const missing = await fetch(`${processor.url}/api/datasets/openai-chat`);
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: string }).error, /agent/);
    const split = await fetch(`${processor.url}/api/datasets/openai-chat?agent=a&split=test`);
    assert.equal(split.status, 400);
    assert.match(((await split.json()) as { error: string }).error, /split/);
    const quality = await fetch(`${processor.url}/api/datasets/preference?agent=a&min-quality=0.5`);
    assert.equal(quality.status, 400);
    assert.match(((await quality.json()) as { error: string }).error, /openai-chat only/);
  });
});

/** The peak resident set (VmHWM) of a child process, read from /proc until it exits, in MB. */
function peakRssOf(child: ChildProcess): Promise<{ code: number | null; stderr: string; peakMb: number }> {
  let peakKb = 0;
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const timer = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => (peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))),
      () => undefined,
    );
  }, 20);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stderr, peakMb: Math.round(peakKb / 1024) });
    });
  });
}

test('flywheel export writes 100k interactions to a file in bounded memory (peak RSS at 10k and 100k printed)', async () => {
  const postgres = await startPostgres();
  const out = path.join(tmpdir(), `flywheel-export-${process.pid}.jsonl`);
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  const insert = async (from: number, to: number) => {
    // Direct inserts: the OTLP path would take minutes for 100k; the export reads the same tables.
    await pool.query(
      `INSERT INTO interactions (project_id, id, trace_id, span_id, operation, name, start_time, start_time_unix_nano, response_time_ms,
         agent_name, user_input, response, finish_reasons, tools, knowledge_sources, status, span_ids, conventions)
       SELECT 1, lpad(to_hex(g), 32, '0') || '-' || lpad(to_hex(g), 16, '0'), lpad(to_hex(g), 32, '0'), lpad(to_hex(g), 16, '0'),
         'invoke_agent', 'invoke_agent support-agent', now(), 0, 100, 'support-agent',
         jsonb_build_array(jsonb_build_object('role', 'user', 'parts', jsonb_build_array(jsonb_build_object('type', 'text', 'content', 'Where is order ' || g || '? ' || repeat('context ', 40))))),
         jsonb_build_array(jsonb_build_object('role', 'assistant', 'parts', jsonb_build_array(jsonb_build_object('type', 'text', 'content', 'Order ' || g || ' shipped with DHL.')))),
         '{stop}', '[]', '{}', 'ok', '{}', '{genai-semconv}'
       FROM generate_series($1::int, $2::int) g`,
      [from, to],
    );
    await pool.query(
      `INSERT INTO interaction_scores (project_id, interaction_id, accuracy, satisfaction, dimensions, missing, signals, eligible, outcome, improvement_areas, feedback_count, judged, scored_by)
       SELECT 1, id, 1, 0.9, '{}', '{}', '{}', true, 'reinforce', '{}', 0, false, 'test' FROM interactions
       ON CONFLICT DO NOTHING`,
    );
    // What autovacuum would do after a bulk load: without statistics the planner sorts every row per batch.
    await pool.query('ANALYZE interactions, interaction_scores');
  };
  const exportAll = async (count: number) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, 'export', '--format', 'openai-chat', '--agent', 'support-agent', '--out', out], {
      env: { ...process.env, DATABASE_URL: postgres.url, FLYWHEEL_LOG_LEVEL: 'error' },
    });
    const { code, stderr, peakMb } = await peakRssOf(child);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, `exported ${count} examples\n`);
    let lines = 0;
    for await (const line of createInterface({ input: createReadStream(out) })) {
      if (lines % 997 === 0) chatLine.parse(JSON.parse(line));
      lines += 1;
    }
    assert.equal(lines, count);
    const { size } = await stat(out);
    process.stdout.write(`# flywheel export of ${count} interactions (${(size / 1e6).toFixed(1)} MB of JSONL): peak RSS ${peakMb} MB, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  };
  try {
    await migrate(pool);
    await insert(1, 10_000);
    await exportAll(10_000);
    await insert(10_001, 100_000);
    await exportAll(100_000);
  } finally {
    await pool.end();
    await postgres.destroy();
    await rm(out, { force: true });
  }
});
