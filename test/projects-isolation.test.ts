// Projects and API keys through the real processor: roles, the 401/403 answers of both doors,
// and isolation: project B's keys walk every route against project A's data and nothing of A is
// read, scored, re-scored or answered; the same trace and span ids sent by both are two rows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createApiKey, type Role } from '../processor/src/store/access/api-keys.ts';
import { ensureProject } from '../processor/src/store/access/projects.ts';
import { startProcessor, type TestProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, evaluationLogs, msAgo, waitFor } from './score-fixtures.ts';

type Keys = Record<Role, string>;

async function keysOf(pool: pg.Pool, project: string): Promise<Keys> {
  const { id } = await ensureProject(pool, project);
  const keys = {} as Keys;
  for (const role of ['ingest', 'read', 'admin'] as const) keys[role] = (await createApiKey(pool, { projectId: id, role, name: `${project}-${role}` })).key;
  return keys;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function get(url: string, key?: string) {
  const response = await fetch(url, { headers: key === undefined ? {} : bearer(key) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe('projects and API keys', () => {
  let processor: TestProcessor;
  let pool: pg.Pool;
  let a: Keys;
  let b: Keys;
  before(async () => {
    processor = await startProcessor({ settings: { FLYWHEEL_SCORE_SETTLE_MS: '200', FLYWHEEL_SCORE_POLL_MS: '50' } });
    pool = new pg.Pool({ connectionString: processor.postgres.url, max: 2 });
    // Local mode, and the processor has just looked: no key exists.
    assert.equal((await get(`${processor.url}/api/interactions`)).status, 200);
    a = await keysOf(pool, 'project-a');
    b = await keysOf(pool, 'project-b');
    const c = await keysOf(pool, 'project-c');
    // Within the second before it looks again, a request carrying a key is answered as that
    // key's project, never as the local project: a key makes the processor look at once.
    const early = contentTurn();
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(early.spans), bearer(c.ingest))).status, 200);
    assert.deepEqual(
      await processor.query('SELECT DISTINCT p.name FROM spans s JOIN projects p ON p.id = s.project_id WHERE s.trace_id = $1', [early.traceId]),
      [{ name: 'project-c' }],
    );
    assert.equal((await get(`${processor.url}/api/interactions`, 'fw_not-a-key-anyone-created')).status, 401);
    // A request without one: the processor notices the first key within a second and leaves local mode.
    await waitFor('keys to be required', async () => ((await get(`${processor.url}/api/interactions`)).status === 401 ? true : undefined));
  });
  after(async () => {
    await pool.end();
    await processor.stop();
  });

  test('REST without a key, or with an unknown one, is 401 with WWW-Authenticate; the wrong role is 403', async () => {
    const none = await get(`${processor.url}/api/interactions`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(none.json, { error: 'an API key is required: send Authorization: Bearer <key> or x-api-key: <key>' });
    const unknown = await get(`${processor.url}/api/interactions`, 'fw_not-a-key-anyone-created');
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json, { error: 'unknown or revoked API key' });
    const basic = await fetch(`${processor.url}/api/interactions`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.status, 401);
    const ingestReads = await get(`${processor.url}/api/interactions`, a.ingest);
    assert.equal(ingestReads.status, 403);
    assert.deepEqual(ingestReads.json, { error: "this API key has the role 'ingest', which may not read data (needs read or admin)" });
    const readSends = await postJson(`${processor.url}/api/feedback`, { interactionId: `${'a'.repeat(32)}-${'b'.repeat(16)}`, score: 1 }, bearer(a.read));
    assert.equal(readSends.status, 403);
    assert.equal((await get(`${processor.url}/api/interactions`, a.read)).status, 200);
    assert.equal((await get(`${processor.url}/api/interactions`, a.admin)).status, 200);
    const viaHeader = await fetch(`${processor.url}/api/scores/summary`, { headers: { 'x-api-key': a.read } });
    assert.equal(viaHeader.status, 200);
    const disagreeing = await fetch(`${processor.url}/api/interactions`, { headers: { ...bearer(a.read), 'x-api-key': b.read } });
    assert.equal(disagreeing.status, 401);
  });

  test('OTLP without a key is 401 with a Status body (not retryable); a read key is 403; nothing is stored', async () => {
    const turn = contentTurn();
    const body = tracesRequest(turn.spans);
    const none = await postJson(`${processor.url}/v1/traces`, body);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('retry-after'), null);
    assert.deepEqual(none.json, { code: 16, message: 'an API key is required: send Authorization: Bearer <key> or x-api-key: <key>' });
    const wrongRole = await postJson(`${processor.url}/v1/traces`, body, bearer(a.read));
    assert.equal(wrongRole.status, 403);
    assert.deepEqual(wrongRole.json, { code: 7, message: "this API key has the role 'read', which may not send data (needs ingest or admin)" });
    const logs = await postJson(`${processor.url}/v1/logs`, evaluationLogs(turn.traceId, turn.rootId, { 'gen_ai.evaluation.name': 'user_feedback' }));
    assert.equal(logs.status, 401);
    const stored = await processor.query<{ n: number }>('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [turn.traceId]);
    assert.equal(stored[0]!.n, 0);
    const sent = await postJson(`${processor.url}/v1/traces`, body, { 'x-api-key': a.admin });
    assert.equal(sent.status, 200);
  });

  test('health, readiness and metrics need no key', async () => {
    assert.equal((await fetch(`${processor.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${processor.url}/readyz`)).status, 200);
    const metrics = await fetch(`${processor.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /flywheel_otlp_requests_total\{signal="traces",outcome="unauthenticated"\} [1-9]/);
  });

  test("the same trace and span ids sent by two projects are two rows, and neither is the other's duplicate", async () => {
    const turn = contentTurn({ session: 'shared-session', offsetMs: msAgo(120_000) });
    const body = tracesRequest(turn.spans);
    assert.equal((await postJson(`${processor.url}/v1/traces`, body, bearer(a.ingest))).status, 200);
    assert.equal((await postJson(`${processor.url}/v1/traces`, body, bearer(b.ingest))).status, 200);
    const spans = await processor.query<{ name: string; n: number }>(
      `SELECT p.name, count(*)::int AS n FROM spans s JOIN projects p ON p.id = s.project_id WHERE s.trace_id = $1 GROUP BY p.name ORDER BY p.name`,
      [turn.traceId],
    );
    assert.deepEqual(spans, [{ name: 'project-a', n: 3 }, { name: 'project-b', n: 3 }]);
    const interactions = await processor.query<{ name: string; n: number }>(
      `SELECT p.name, count(*)::int AS n FROM interactions i JOIN projects p ON p.id = i.project_id WHERE i.id = $1 GROUP BY p.name ORDER BY p.name`,
      [turn.id],
    );
    assert.deepEqual(interactions, [{ name: 'project-a', n: 1 }, { name: 'project-b', n: 1 }]);
  });

  test("project B's keys walk every route against project A's data: nothing of A is read, scored, re-scored or answered", async () => {
    // A's conversation: two turns, feedback on the first, all scored.
    const first = contentTurn({ session: 'conversation-a', offsetMs: msAgo(90_000), question: 'Where is order A-7?' });
    const second = contentTurn({ session: 'conversation-a', offsetMs: msAgo(60_000), question: 'When does order A-7 arrive?' });
    for (const turn of [first, second]) {
      assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turn.spans), bearer(a.ingest))).status, 200);
    }
    const feedback = await postJson(`${processor.url}/api/feedback`, { interactionId: first.id, rating: 5, comment: 'thanks' }, bearer(a.ingest));
    assert.equal(feedback.status, 201);
    const scoredA = async () => {
      const rows = await processor.query<{ interaction_id: string; scorings: number; feedback_count: number; next_interaction_id: string | null; updated_at: Date }>(
        `SELECT s.interaction_id, s.scorings, s.feedback_count, s.next_interaction_id, i.updated_at
         FROM interaction_scores s JOIN interactions i ON i.project_id = s.project_id AND i.id = s.interaction_id
         WHERE s.project_id = (SELECT id FROM projects WHERE name = 'project-a') AND s.interaction_id = ANY ($1)
         ORDER BY s.interaction_id`,
        [[first.id, second.id]],
      );
      // What is still queued for A, and for when (a last turn waits for its abandonment re-check).
      const queued = await processor.query<{ interaction_id: string; reason: string; changed_at: string; due: boolean }>(
        `SELECT interaction_id, reason, changed_at::text, changed_at <= now() AS due
         FROM score_queue WHERE interaction_id = ANY ($1) ORDER BY interaction_id`,
        [[first.id, second.id]],
      );
      return { rows, queued };
    };
    const settled = await waitFor('A to be scored, with its feedback', async () => {
      const state = await scoredA();
      return state.queued.every((q) => !q.due) && state.rows.length === 2 && state.rows.some((r) => r.feedback_count === 1) ? state : undefined;
    });

    // B reads: A's interactions are not listed, not found by id, not summarised.
    const list = await get(`${processor.url}/api/interactions?session=conversation-a`, b.read);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, { interactions: [], nextCursor: null });
    for (const key of [b.read, b.admin]) {
      const detail = await get(`${processor.url}/api/interactions/${first.id}`, key);
      assert.equal(detail.status, 404);
      assert.deepEqual(detail.json, { error: `no interaction with id ${first.id}` });
    }
    const summary = await get(`${processor.url}/api/scores/summary?agent=support-agent`, b.read);
    assert.equal(summary.status, 200);
    const bSummary = summary.json as { buckets: { scored: number }[] };
    const aSummary = (await get(`${processor.url}/api/scores/summary?agent=support-agent`, a.read)).json as { buckets: { scored: number }[] };
    // B's only scored interaction is its copy of the shared trace; A has that copy, the turn its
    // admin key sent, and this conversation's two turns.
    assert.equal(bSummary.buckets.reduce((n, bucket) => n + bucket.scored, 0), 1);
    assert.equal(aSummary.buckets.reduce((n, bucket) => n + bucket.scored, 0), 4);

    // B writes against A's ids: feedback (both doors) and spans into A's trace. Each is kept in B,
    // answered as B's own (pending: B has no such interaction), and A is not touched.
    const bFeedback = await postJson(`${processor.url}/api/feedback`, { interactionId: first.id, thumbs: 'down', correction: 'wrong' }, bearer(b.ingest));
    assert.equal(bFeedback.status, 201);
    assert.deepEqual(bFeedback.json, {
      idempotencyKey: (bFeedback.json as { idempotencyKey: string }).idempotencyKey,
      status: 'stored',
      interactionId: first.id,
      pending: true,
    });
    // The same body as A's feedback: in B it is new, not A's duplicate.
    const sameAsA = await postJson(`${processor.url}/api/feedback`, { interactionId: first.id, rating: 5, comment: 'thanks' }, bearer(b.admin));
    assert.equal(sameAsA.status, 201);
    assert.equal((sameAsA.json as { status: string }).status, 'stored');
    const otlpFeedback = await postJson(
      `${processor.url}/v1/logs`,
      evaluationLogs(first.traceId, first.rootId, { 'gen_ai.evaluation.name': 'user_feedback', 'gen_ai.evaluation.score.value': 0 }),
      bearer(b.ingest),
    );
    assert.equal(otlpFeedback.status, 200);
    const intruder = contentTurn({ session: 'conversation-a', offsetMs: msAgo(30_000), question: 'When does order A-7 arrive, really?' });
    const intoATrace = intruder.spans.map((s, i) => (i === 0 ? { ...s, traceId: first.traceId, parentSpanId: first.rootId } : { ...s, traceId: first.traceId }));
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(intoATrace), bearer(b.ingest))).status, 200);

    // B's own copies are B's: its feedback is pending there, its spans form B's interaction.
    const bInteractions = await processor.query<{ id: string }>(
      `SELECT id FROM interactions WHERE project_id = (SELECT id FROM projects WHERE name = 'project-b') AND trace_id = $1`,
      [first.traceId],
    );
    assert.deepEqual(bInteractions, [{ id: `${first.traceId}-${intruder.rootId}` }]);
    const bFeedbackRows = await processor.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM feedback WHERE project_id = (SELECT id FROM projects WHERE name = 'project-b') AND trace_id = $1`,
      [first.traceId],
    );
    assert.equal(bFeedbackRows[0]!.n, 3);

    // Give the scorer time to act on anything B may have queued for A: several polls after B's
    // interaction (settle 200 ms) has been scored.
    await waitFor("B's interaction in A's trace id to be scored", async () => {
      const rows = await processor.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM interaction_scores WHERE project_id = (SELECT id FROM projects WHERE name = 'project-b') AND interaction_id = $1`,
        [`${first.traceId}-${intruder.rootId}`],
      );
      return rows[0]!.n === 1 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await scoredA();
    assert.deepEqual(after, settled);
    // A's interaction did not absorb B's spans, and its detail is unchanged to A.
    const detail = (await get(`${processor.url}/api/interactions/${first.id}`, a.read)).json as {
      spanIds: string[];
      quality: { feedback: { rating: number | null }[] };
    };
    assert.deepEqual(detail.spanIds, first.spans.map((s) => s.spanId));
    assert.deepEqual(detail.quality.feedback.map((f) => f.rating), [5]);
    // B's turn in the same session id is not A's next turn.
    assert.equal(after.rows.find((r) => r.interaction_id === second.id)?.next_interaction_id, null);
  });
});
