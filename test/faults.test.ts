// Faults under sustained ingest, each bounded in time: the processor killed with SIGKILL and
// restarted; Postgres stopped and started under a running processor; two replicas on one
// database sharing scoring, mining and knowledge work. In each, senders retry as OTLP
// exporters do, and at the end every span that got a 200 is stored, and none twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres, startProcessor, type TestPostgres, type TestProcessor } from './harness.ts';
import { type ChildProcessor, type SentBatch, sleep, spawnProcessor, stopChild, sustainedSenders } from './processor-child.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, waitFor } from './score-fixtures.ts';

/** Spans and interactions stored for the batches' traces, counted with and without duplicates. */
async function storedOf(pool: pg.Pool, batches: SentBatch[]) {
  const traceIds = batches.flatMap((b) => b.traceIds);
  const { rows } = await pool.query<{ spans: number; distinct_spans: number; interactions: number; traces: number }>(
    `SELECT (SELECT count(*)::int FROM spans WHERE trace_id = ANY ($1)) AS spans,
            (SELECT count(DISTINCT (trace_id, span_id))::int FROM spans WHERE trace_id = ANY ($1)) AS distinct_spans,
            (SELECT count(*)::int FROM interactions WHERE trace_id = ANY ($1)) AS interactions,
            (SELECT count(DISTINCT trace_id)::int FROM interactions WHERE trace_id = ANY ($1)) AS traces`,
    [traceIds],
  );
  return rows[0]!;
}

const spansOf = (batches: SentBatch[]) => batches.reduce((n, b) => n + b.spanCount, 0);

describe('the processor killed with SIGKILL during sustained ingest, then restarted', () => {
  let postgres: TestPostgres;
  let pool: pg.Pool;
  let current: ChildProcessor | undefined;
  before(async () => {
    postgres = await startPostgres();
    pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  });
  after(async () => {
    await stopChild(current);
    await pool.end();
    await postgres.destroy();
  });

  test('every span that got a 200 is stored, none twice, and the retried batches are stored once each', async (t) => {
    current = await spawnProcessor(postgres.url);
    let url = current.url;
    const senders = sustainedSenders(() => url, { clients: 6, turnsPerBatch: 5, retryMs: 50 });
    await waitFor('sustained ingest', async () => (senders.acknowledgedSpans() >= 1000 ? true : undefined), 30_000);

    current.child.kill('SIGKILL');
    await current.exited;
    const acknowledgedAtKill = senders.batches.filter((b) => b.acknowledged);
    const inFlightAtKill = senders.batches.length - acknowledgedAtKill.length;
    await sleep(200);
    current = await spawnProcessor(postgres.url);
    url = current.url;

    // Everything acknowledged before the kill survived it.
    const survived = await storedOf(pool, acknowledgedAtKill);
    assert.equal(survived.distinct_spans, spansOf(acknowledgedAtKill));

    await waitFor('ingest to go on', async () => (senders.acknowledgedSpans() >= spansOf(acknowledgedAtKill) + 1000 ? true : undefined), 30_000);
    await senders.stop();
    t.diagnostic(`${senders.batches.length} batches, ${inFlightAtKill} in flight at the kill; answers: ${JSON.stringify(Object.fromEntries(senders.statuses))}`);
    assert.ok(senders.batches.every((b) => b.acknowledged));
    assert.ok((senders.statuses.get('connection failed') ?? 0) > 0, 'some requests met the dead processor');
    const stored = await storedOf(pool, senders.batches);
    assert.equal(stored.spans, spansOf(senders.batches));
    assert.equal(stored.distinct_spans, stored.spans);
    assert.equal(stored.interactions, senders.batches.length * 5);
    assert.equal(stored.traces, stored.interactions);
  });
});

describe('Postgres stopped and started during sustained ingest', () => {
  let postgres: TestPostgres;
  let processor: TestProcessor;
  let pool: pg.Pool;
  before(async () => {
    postgres = await startPostgres();
    processor = await startProcessor({ postgres, settings: { FLYWHEEL_RETRY_AFTER_SECONDS: '1' } });
    pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    pool.on('error', () => undefined);
  });
  after(async () => {
    await pool.end();
    await processor.stop();
    await postgres.destroy();
  });

  test('503 with Retry-After while it is down, then the same processor stores everything, each span once', async (t) => {
    const senders = sustainedSenders(() => processor.url, { clients: 4, turnsPerBatch: 5, retryMs: 50 });
    await waitFor('sustained ingest', async () => (senders.acknowledgedSpans() >= 500 ? true : undefined), 30_000);
    await postgres.stop();
    const acknowledgedWhenStopped = senders.acknowledgedSpans();
    await waitFor('503s', async () => ((senders.statuses.get('503') ?? 0) >= 20 ? true : undefined), 15_000);
    assert.equal((await fetch(`${processor.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${processor.url}/readyz`)).status, 503);
    await sleep(500);
    await postgres.start();
    await waitFor('ingest to recover', async () => (senders.acknowledgedSpans() >= acknowledgedWhenStopped + 500 ? true : undefined), 30_000);
    await senders.stop();
    t.diagnostic(`${senders.batches.length} batches; answers: ${JSON.stringify(Object.fromEntries(senders.statuses))}`);
    assert.deepEqual([...senders.retryAfter], ['1']);
    assert.ok(senders.batches.every((b) => b.acknowledged));
    const stored = await storedOf(pool, senders.batches);
    assert.equal(stored.spans, spansOf(senders.batches));
    assert.equal(stored.distinct_spans, stored.spans);
    assert.equal(stored.traces, senders.batches.length * 5);
  });
});

describe('two replicas on one database under load', () => {
  const MINE_INTERVAL_MS = 300;
  const KNOWLEDGE_POLL_MS = 200;
  let postgres: TestPostgres;
  let pool: pg.Pool;
  let replicas: ChildProcessor[] = [];
  let started: number;
  before(async () => {
    postgres = await startPostgres();
    pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    const env = {
      FLYWHEEL_SCORE_SETTLE_MS: '300',
      FLYWHEEL_SCORE_POLL_MS: '20',
      FLYWHEEL_MINE_INTERVAL_MS: String(MINE_INTERVAL_MS),
      FLYWHEEL_KNOWLEDGE_POLL_MS: String(KNOWLEDGE_POLL_MS),
      FLYWHEEL_KNOWLEDGE_COMMIT_BATCH: '1',
      FLYWHEEL_KNOWLEDGE_COMMIT_CONFIDENCE: '0',
      FLYWHEEL_MINE_WINDOW_DAYS: '3650',
    };
    started = performance.now();
    // The first applies the migrations; the second starts on the migrated schema.
    replicas = [await spawnProcessor(postgres.url, env)];
    replicas.push(await spawnProcessor(postgres.url, env));
  });
  after(async () => {
    await Promise.all(replicas.map(stopChild));
    await pool.end();
    await postgres.destroy();
  });

  test('ingest, scoring, mining and knowledge commits are shared: each done once, none lost', async (t) => {
    let next = 0;
    const senders = sustainedSenders(() => replicas[next++ % 2]!.url, { clients: 6, turnsPerBatch: 5, retryMs: 50 });
    // Meanwhile, corrections of 20 turns, each through either replica: 20 knowledge items to commit.
    const corrected: string[] = [];
    for (let i = 0; i < 20; i++) {
      const replica = replicas[i % 2]!;
      const turn = contentTurn({ question: `Where is parcel P-${i}?`, answer: 'I do not know.' });
      assert.equal((await postJson(`${replica.url}/v1/traces`, tracesRequest(turn.spans as never[]))).status, 200);
      const r = await postJson(`${replica.url}/api/feedback`, { interactionId: turn.id, thumbs: 'down', correction: `Parcel P-${i} is at depot ${i}.`, userId: `u${i}` });
      assert.equal(r.status, 201);
      corrected.push(turn.id);
    }
    await waitFor('load', async () => (senders.acknowledgedSpans() >= 2000 ? true : undefined), 30_000);
    await senders.stop();
    const stored = await storedOf(pool, senders.batches);
    assert.equal(stored.spans, spansOf(senders.batches));
    assert.equal(stored.distinct_spans, stored.spans);
    const traceIds = senders.batches.flatMap((b) => b.traceIds);

    const scored = await waitFor(
      'every interaction scored and every queue drained',
      async () => {
        const { rows } = await pool.query<{ interactions: number; scored: number; rescored: number; by: string[]; queued: number }>(
          `SELECT (SELECT count(*)::int FROM interactions WHERE trace_id = ANY ($1)) AS interactions,
                  count(*)::int AS scored, count(*) FILTER (WHERE s.scorings > 1)::int AS rescored,
                  array_agg(DISTINCT s.scored_by) AS by,
                  (SELECT count(*)::int FROM score_queue) + (SELECT count(*)::int FROM mine_queue)
                    + (SELECT count(*)::int FROM knowledge_queue) AS queued
           FROM interaction_scores s JOIN interactions i ON i.project_id = s.project_id AND i.id = s.interaction_id
           WHERE i.trace_id = ANY ($1)`,
          [traceIds],
        );
        const r = rows[0]!;
        return r.scored === r.interactions && r.queued === 0 ? r : undefined;
      },
      45_000,
    );
    assert.equal(scored.interactions, traceIds.length);
    assert.equal(scored.rescored, 0, 'no interaction was scored twice');
    assert.equal(scored.by.length, 2, `both replicas scored: ${scored.by.join(', ')}`);
    // A mining pass after the last score mines every interaction's facts.
    await waitFor(
      "every interaction's facts mined",
      async () => {
        const mined = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM mine_facts f JOIN interactions i ON i.project_id = f.project_id AND i.id = f.interaction_id WHERE i.trace_id = ANY ($1)',
          [traceIds],
        );
        return mined.rows[0]!.n === traceIds.length ? true : undefined;
      },
      20_000,
    );

    // The scheduled singleton jobs ran at most once per due time between both replicas.
    const elapsed = performance.now() - started;
    const { rows: jobs } = await pool.query<{ name: string; runs: number; last_error: string | null }>(
      'SELECT name, runs::int, last_error FROM scheduled_jobs ORDER BY name',
    );
    t.diagnostic(`${Math.round(elapsed)} ms; jobs: ${JSON.stringify(jobs)}`);
    const job = (name: string) => jobs.find((j) => j.name === name)!;
    for (const [name, everyMs] of [
      ['mine.pass', MINE_INTERVAL_MS],
      ['knowledge.update', KNOWLEDGE_POLL_MS],
    ] as const) {
      assert.equal(job(name).last_error, null, name);
      assert.ok(job(name).runs >= 3, `${name} ran ${job(name).runs} times`);
      assert.ok(job(name).runs <= Math.floor(elapsed / everyMs) + 2, `${name}: ${job(name).runs} runs in ${Math.round(elapsed)} ms`);
    }
    // Each correction became one item, committed once by one of the replicas.
    const commits = await waitFor(
      'the corrections committed',
      async () => {
        const { rows } = await pool.query<{ items: number; committed: number; commits: number }>(
          `SELECT count(*)::int AS items, count(*) FILTER (WHERE status = 'committed')::int AS committed,
                  (SELECT count(*)::int FROM knowledge_events e JOIN knowledge_items k ON k.project_id = e.project_id AND k.id = e.item_id
                   WHERE e.to_status = 'committed' AND k.interaction_ids && $1::text[]) AS commits
           FROM knowledge_items WHERE interaction_ids && $1::text[]`,
          [corrected],
        );
        return rows[0]!.committed === corrected.length ? rows[0]! : undefined;
      },
      20_000,
    );
    t.diagnostic(`knowledge: ${JSON.stringify(commits)}`);
    assert.deepEqual(commits, { items: corrected.length, committed: corrected.length, commits: corrected.length });
  });
});
