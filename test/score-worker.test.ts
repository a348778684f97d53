// The score stage end to end: traces in over OTLP, settled interactions scored in the
// background, late feedback and the next turn of a conversation re-scoring, and what the REST
// API and /metrics show. Real processor, real embedded Postgres.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestPostgres, type TestProcessor, startPostgres, startProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, evaluationLogs, msAgo, waitFor } from './score-fixtures.ts';

const SETTLE_MS = 400;
let processor: TestProcessor;
before(async () => {
  processor = await startProcessor({ settings: { FLYWHEEL_SCORE_SETTLE_MS: String(SETTLE_MS), FLYWHEEL_SCORE_POLL_MS: '50' } });
});
after(async () => {
  await processor.stop();
});

const send = async (spans: unknown[]) => assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(spans as never[]))).status, 200);

/** The scores row once the interaction has been scored at least `scorings` times. */
function scored(id: string, scorings = 1): Promise<Record<string, any>> {
  return waitFor(`${id} scored ${scorings} time(s)`, async () => {
    const [row] = await processor.query<Record<string, any>>('SELECT * FROM interaction_scores WHERE interaction_id = $1', [id]);
    return row !== undefined && (row.scorings as number) >= scorings ? row : undefined;
  });
}

async function detail(id: string): Promise<any> {
  const response = await fetch(`${processor.url}/api/interactions/${id}`);
  assert.equal(response.status, 200);
  return response.json();
}

test('a settled interaction is scored once on five dimensions, each with its source, and the detail API shows it', async () => {
  const turn = contentTurn({ session: 'conv-good' });
  await send(turn.spans);
  const row = await scored(turn.id);
  assert.deepEqual(
    [row.accuracy, row.completeness, row.relevance, row.satisfaction, row.eligible, row.outcome, row.scorings, row.missing],
    [null, 1, 1, 0.75, false, 'reinforce', 1, ['accuracy']],
  );
  const { quality } = await detail(turn.id);
  assert.equal(quality.status, 'scored');
  assert.deepEqual(quality.scores.accuracy, { score: null, missing: 'no expected output, correction, judge verdict or feedback score' });
  assert.deepEqual(quality.scores.relevance, { score: 1, source: 'heuristic', details: { method: 'question_term_coverage' } });
  assert.deepEqual(quality.scores.completeness, { score: 1, source: 'heuristic', details: { failedChecks: [], questionCoverage: 'single question' } });
  assert.equal(quality.scores.timeliness.source, 'heuristic');
  assert.equal(quality.scores.timeliness.details.method, 'response_age');
  assert.ok(quality.scores.timeliness.score > 0.99);
  assert.deepEqual(quality.scores.satisfaction, { score: 0.75, source: 'implicit', details: { signals: [], conversationContinued: false } });
  assert.deepEqual(quality.gate, {
    eligible: false,
    reason: 'accuracy not assessed (no expected output, correction, judge verdict or feedback score)',
    outcome: 'reinforce',
    improvementAreas: [],
  });
  assert.deepEqual([quality.feedback, quality.judge, quality.signals, quality.scorings, quality.rescore], [[], null, [], 1, null]);
});

test('an answer matching its expected output is training-eligible', async () => {
  const turn = contentTurn({ expected: 'A-1001 shipped with DHL' });
  await send(turn.spans);
  const row = await scored(turn.id);
  assert.deepEqual([row.accuracy, row.eligible, row.ineligible_reason, row.dimensions.accuracy.source], [1, true, null, 'expected_output']);
});

describe('settling', () => {
  // Spans are ingested by a processor that does not score (FLYWHEEL_SCORE_WORKERS=0), and a
  // scoring one is started on the same database only afterwards: nothing can be scored between
  // the two sends, however slow the machine, so what is asserted holds by construction.
  let postgres: TestPostgres;
  let ingestOnly: TestProcessor;
  before(async () => {
    postgres = await startPostgres();
    ingestOnly = await startProcessor({ postgres, settings: { FLYWHEEL_SCORE_WORKERS: '0' } });
  });
  after(async () => {
    await ingestOnly.stop();
    await postgres.destroy();
  });

  test('nothing is scored before the interaction settles; spans arriving meanwhile push it back, so it is scored once', async () => {
    const turn = contentTurn();
    const [root, ...children] = turn.spans;
    // changed_at as text: to the microsecond, as the database compares it.
    const queued = async () =>
      ingestOnly.query<{ reason: string; changed_at: string }>('SELECT reason, changed_at::text FROM score_queue WHERE interaction_id = $1', [turn.id]);
    assert.equal((await postJson(`${ingestOnly.url}/v1/traces`, tracesRequest([root] as never[]))).status, 200);
    const [afterRoot] = await queued();
    assert.equal(afterRoot!.reason, 'ingest');
    assert.equal((await postJson(`${ingestOnly.url}/v1/traces`, tracesRequest(children as never[]))).status, 200);
    const [afterChildren] = await queued();
    assert.equal(afterChildren!.reason, 'ingest');
    const [pushedBack] = await ingestOnly.query('SELECT $1::timestamptz > $2::timestamptz AS later', [afterChildren!.changed_at, afterRoot!.changed_at]);
    assert.deepEqual(pushedBack, { later: true }, 'the later spans pushed the interaction back');

    const scorer = await startProcessor({ postgres, settings: { FLYWHEEL_SCORE_SETTLE_MS: String(SETTLE_MS), FLYWHEEL_SCORE_POLL_MS: '50' } });
    try {
      const row = await waitFor('the interaction scored', async () => {
        const [r] = await scorer.query<Record<string, any>>(
          `SELECT scorings, first_scored_at - $2::timestamptz >= $3 * interval '1 millisecond' AS settled_first
           FROM interaction_scores WHERE interaction_id = $1`,
          [turn.id, afterChildren!.changed_at, SETTLE_MS],
        );
        return r;
      });
      // Scored only once the last change was SETTLE_MS old (the database's clock both times).
      assert.deepEqual(row, { scorings: 1, settled_first: true });
      // Its queue row went in the same transaction, so nothing is left to score it again: after
      // several more polls it is still scored once.
      assert.deepEqual(await scorer.query('SELECT * FROM score_queue WHERE interaction_id = $1', [turn.id]), []);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 10 * 50));
      assert.deepEqual(await scorer.query('SELECT scorings FROM interaction_scores WHERE interaction_id = $1', [turn.id]), [{ scorings: 1 }]);
      assert.deepEqual(await scorer.query('SELECT * FROM score_queue WHERE interaction_id = $1', [turn.id]), []);
    } finally {
      await scorer.stop();
    }
  });
});

test('late feedback re-scores: satisfaction and accuracy come from it, and the detail lists it', async () => {
  const turn = contentTurn();
  await send(turn.spans);
  await scored(turn.id);
  const r = await postJson(`${processor.url}/api/feedback`, { interactionId: turn.id, rating: 1, comment: 'Wrong order', userId: 'user-9' });
  assert.equal(r.status, 201);
  assert.deepEqual({ ...(r.json as object), idempotencyKey: '' }, { idempotencyKey: '', status: 'stored', interactionId: turn.id, pending: false });
  const row = await scored(turn.id, 2);
  assert.deepEqual(
    [row.satisfaction, row.dimensions.satisfaction.source, row.accuracy, row.dimensions.accuracy.source, row.outcome, row.improvement_areas, row.feedback_count],
    [0, 'feedback', 0, 'feedback', 'improve', ['accuracy', 'satisfaction'], 1],
  );
  const { quality } = await detail(turn.id);
  assert.deepEqual(
    quality.feedback.map(({ createdAt: _c, idempotencyKey: _k, ...f }: Record<string, unknown>) => f),
    [{ source: 'api', spanId: turn.rootId, name: 'user_feedback', score: 0, rating: 1, thumbs: null, label: null, comment: 'Wrong order', correction: null, userId: 'user-9' }],
  );
});

test('feedback sent before its interaction is kept as pending and joined when the interaction arrives', async () => {
  const turn = contentTurn();
  const r = await postJson(`${processor.url}/api/feedback`, { interactionId: turn.id, thumbs: 'up' });
  assert.deepEqual([r.status, (r.json as { pending: boolean }).pending], [201, true]);
  await send(turn.spans);
  const row = await scored(turn.id);
  assert.deepEqual([row.feedback_count, row.satisfaction, row.dimensions.satisfaction.source], [1, 1, 'feedback']);
});

test('feedback over OTLP (gen_ai.evaluation.result) lands in the feedback table, with its correction, and re-scores', async () => {
  const turn = contentTurn();
  await send(turn.spans);
  await scored(turn.id);
  const logs = evaluationLogs(turn.traceId, turn.rootId, {
    'gen_ai.evaluation.name': 'user_feedback',
    'gen_ai.evaluation.score.value': 0.75,
    'flywheel.feedback.rating': 4,
    'flywheel.feedback.correction': 'Order A-1001 shipped with DHL, tracking 123',
    'flywheel.feedback.idempotency_key': `otlp-${turn.id}`,
  });
  assert.equal((await postJson(`${processor.url}/v1/logs`, logs)).status, 200);
  assert.equal((await postJson(`${processor.url}/v1/logs`, logs)).status, 200);
  const row = await scored(turn.id, 2);
  assert.deepEqual([row.feedback_count, row.satisfaction, row.dimensions.accuracy.source, row.dimensions.accuracy.details.against], [1, 0.75, 'feedback', 'correction']);
  const stored = await processor.query('SELECT source, rating, correction FROM feedback WHERE idempotency_key = $1', [`otlp-${turn.id}`]);
  assert.deepEqual(stored, [{ source: 'otlp', rating: 4, correction: 'Order A-1001 shipped with DHL, tracking 123' }]);
});

test('a retry in the same conversation re-scores the previous turn with a retry signal', async () => {
  const first = contentTurn({ session: 'conv-retry', offsetMs: msAgo(120_000) });
  await send(first.spans);
  await scored(first.id);
  const second = contentTurn({ session: 'conv-retry', question: 'where is my order A-1001', offsetMs: msAgo(110_000) });
  await send(second.spans);
  await scored(second.id);
  const row = await scored(first.id, 2);
  assert.deepEqual(
    [row.next_interaction_id, row.signals.map((s: { kind: string }) => s.kind), row.satisfaction, row.outcome],
    [second.id, ['retry'], 0.3, 'improve'],
  );
});

test('a tool failure at the end of a long-idle conversation is abandonment', async () => {
  const turn = contentTurn({ session: 'conv-abandoned', toolError: 'TimeoutError', offsetMs: 0 });
  await send(turn.spans);
  const row = await scored(turn.id);
  assert.deepEqual(row.signals.map((s: { kind: string }) => s.kind), ['tool_failure', 'abandon']);
  assert.equal(row.completeness, 0.6);
});

test('a recent troubled last turn is queued again for when it would count as abandoned', async () => {
  const turn = contentTurn({ session: 'conv-recheck', finishReason: 'length' });
  await send(turn.spans);
  await scored(turn.id);
  const [queued] = await processor.query<{ reason: string; due: boolean }>(
    `SELECT reason, changed_at > now() AS due FROM score_queue WHERE interaction_id = $1`,
    [turn.id],
  );
  assert.deepEqual(queued, { reason: 'abandon_check', due: true });
});

test('without captured content it still gets the scores that need none, and names the missing ones', async () => {
  const turn = agentTurn({ offsetMs: msAgo(60_000) });
  await send([turn.root, ...turn.children]);
  const row = await scored(turn.id);
  assert.deepEqual(row.missing, ['accuracy', 'relevance']);
  assert.deepEqual(
    [row.completeness, row.dimensions.completeness.details.questionCoverage, row.dimensions.relevance],
    [1, 'not checked: no captured content', { score: null, missing: 'no captured question and answer to compare' }],
  );
  assert.equal(row.satisfaction, 0.75);
});

test('GET /api/scores/summary counts scored interactions per agent and time bucket', async () => {
  const turns = [contentTurn({ agent: 'summary-agent', expected: 'A-1001 shipped' }), contentTurn({ agent: 'summary-agent', toolError: 'E' })];
  await send(turns.flatMap((t) => t.spans));
  await Promise.all(turns.map((t) => scored(t.id)));
  const response = await fetch(`${processor.url}/api/scores/summary?agent=summary-agent&bucket=day`);
  const body = (await response.json()) as { bucket: string; buckets: Record<string, unknown>[] };
  assert.equal(body.bucket, 'day');
  assert.equal(body.buckets.length, 1);
  const [bucket] = body.buckets;
  assert.deepEqual({ ...bucket, start: null, averages: null }, {
    agent: 'summary-agent',
    start: null,
    scored: 2,
    eligible: 1,
    eligibleRate: 0.5,
    reinforce: 1,
    improve: 1,
    judged: 0,
    averages: null,
  });
  assert.equal((bucket!.averages as { completeness: number }).completeness, 0.8);
  const bad = await fetch(`${processor.url}/api/scores/summary?bucket=year`);
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /invalid query: .*bucket/s);
});

/** Every sample of /metrics, by series (name and labels as printed). */
async function metricSamples(): Promise<Map<string, number>> {
  const text = await (await fetch(`${processor.url}/metrics`)).text();
  return new Map([...text.matchAll(/^(\w+(?:\{[^}]*\})?) (\S+)$/gm)].map(([, series, value]) => [series!, Number(value)]));
}

test('/metrics shows scorings, score distributions, gate results and scoring lag', async () => {
  // Start from a quiet queue (only re-checks due far ahead), so every change below is this test's.
  await waitFor('nothing due soon in score_queue', async () => {
    const [row] = await processor.query<{ n: number }>(`SELECT count(*)::int AS n FROM score_queue WHERE changed_at < now() + interval '1 minute'`);
    return row!.n === 0 ? true : undefined;
  });
  const before = await metricSamples();
  const eligible = contentTurn({ agent: 'metrics-agent', expected: 'A-1001 shipped with DHL' });
  const failing = contentTurn({ agent: 'metrics-agent', toolError: 'TimeoutError' });
  const withoutContent = agentTurn({ agent: 'metrics-agent', offsetMs: msAgo(60_000) });
  await send([...eligible.spans, ...failing.spans, withoutContent.root, ...withoutContent.children]);
  await Promise.all([eligible.id, failing.id, withoutContent.id].map((id) => scored(id)));
  assert.equal((await postJson(`${processor.url}/api/feedback`, { interactionId: failing.id, rating: 1 })).status, 201);
  await scored(failing.id, 2);
  // The counters move just after the scores commit: wait for the fourth scoring to be counted.
  const delta = (after: Map<string, number>, series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  const scoredSeries = ['flywheel_score_interactions_scored_total{trigger="ingest"}', 'flywheel_score_interactions_scored_total{trigger="feedback"}'];
  const after = await waitFor('the scorings counted', async () => {
    const samples = await metricSamples();
    return scoredSeries.reduce((n, series) => n + delta(samples, series), 0) === 4 ? samples : undefined;
  });
  assert.deepEqual(
    Object.fromEntries(
      [
        ...scoredSeries,
        'flywheel_score_value_count{dimension="relevance",source="heuristic"}',
        'flywheel_score_value_bucket{le="0.9",dimension="relevance",source="heuristic"}',
        'flywheel_score_gate_total{result="eligible"}',
        'flywheel_score_gate_total{result="ineligible"}',
        'flywheel_score_outcomes_total{outcome="reinforce"}',
        'flywheel_score_outcomes_total{outcome="improve"}',
        'flywheel_score_dimension_missing_total{dimension="accuracy"}',
        'flywheel_score_dimension_missing_total{dimension="relevance"}',
        'flywheel_score_lag_seconds_count',
      ].map((series) => [series, delta(after, series)]),
    ),
    {
      // Three first scorings after ingest, one re-score for the feedback.
      'flywheel_score_interactions_scored_total{trigger="ingest"}': 3,
      'flywheel_score_interactions_scored_total{trigger="feedback"}': 1,
      // Heuristic relevance: the eligible turn, and the failing one twice; all of them 1.
      'flywheel_score_value_count{dimension="relevance",source="heuristic"}': 3,
      'flywheel_score_value_bucket{le="0.9",dimension="relevance",source="heuristic"}': 0,
      'flywheel_score_gate_total{result="eligible"}': 1,
      'flywheel_score_gate_total{result="ineligible"}': 3,
      // Satisfaction 0.75 with no signal; 0.525 with a tool failure, then 0 from the rating.
      'flywheel_score_outcomes_total{outcome="reinforce"}': 2,
      'flywheel_score_outcomes_total{outcome="improve"}': 2,
      // No reference, verdict or feedback yet for the failing turn and the one without content.
      'flywheel_score_dimension_missing_total{dimension="accuracy"}': 2,
      'flywheel_score_dimension_missing_total{dimension="relevance"}': 1,
      // Lag is measured for scorings after ingest only.
      'flywheel_score_lag_seconds_count': 3,
    },
  );
  assert.ok(after.has('flywheel_score_value_bucket{le="0.9",dimension="relevance",source="heuristic"}'));
  assert.ok(after.has('flywheel_score_queue_depth'));
  assert.ok(after.has('flywheel_judge_cost_usd_total'));
  const text = await (await fetch(`${processor.url}/metrics`)).text();
  assert.match(text, /^# TYPE flywheel_judge_requests_total counter/m);
});
