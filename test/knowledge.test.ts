// Knowledge updates through the real processor: spans over OTLP, a correction through
// POST /api/feedback, scoring, the knowledge stage's job, and the routes. Corrections become
// pending items; a person approves one and GET /api/knowledge returns it (ETag, 304); the batch
// rule commits the confident ones once enough are pending; conflicting corrections supersede or
// are flagged, nothing lost; another project's keys see none of it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { ensureProject } from '../processor/src/store/access/projects.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, waitFor } from './score-fixtures.ts';

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_KNOWLEDGE_POLL_MS: '100',
      FLYWHEEL_KNOWLEDGE_COMMIT_BATCH: '10',
      FLYWHEEL_KNOWLEDGE_COMMIT_CONFIDENCE: '0.6',
    },
  });
});
after(async () => {
  await processor.stop();
});

const word = () => `w${randomBytes(4).toString('hex')}`;

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${processor.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

/** Sends a turn asking `question` and a correction of its answer; returns the interaction id. */
async function corrected(question: string, correction: string, userId: string, headers: Record<string, string> = {}): Promise<string> {
  const turn = contentTurn({ question, answer: 'I do not know.' });
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turn.spans as never[]), headers)).status, 200);
  const r = await postJson(`${processor.url}/api/feedback`, { interactionId: turn.id, thumbs: 'down', correction, userId }, headers);
  assert.equal(r.status, 201);
  return turn.id;
}

interface Row { id: string; status: string; content: string; confidence: number; conflict_with: string | null; superseded_by: string | null; supersedes: string | null; version: number }

const itemsOf = (term: string) =>
  processor.query<Row>(
    `SELECT id::text, status, content, confidence, conflict_with::text, superseded_by::text, supersedes::text, version
     FROM knowledge_items WHERE key LIKE '%' || $1 || '%' ORDER BY id`,
    [term],
  );

const settled = (term: string, count: number) =>
  waitFor(`${count} knowledge item(s) for ${term}`, async () => {
    const rows = await itemsOf(term);
    return rows.length >= count ? rows : undefined;
  }, 30_000);

test('a correction becomes a pending item; approved, GET /api/knowledge returns it with an ETag and answers 304 to it', async () => {
  const term = word();
  const interactionId = await corrected(`Where is parcel ${term}?`, `Parcel ${term} is at the Berlin depot.`, 'u-1');
  const [item] = await settled(term, 1);
  assert.deepEqual([item?.status, item?.confidence, item?.version], ['pending', 0.5, 1]);
  const pending = await get('/api/knowledge?agent=support-agent&status=pending');
  const shown = (pending.json?.items as Record<string, unknown>[]).find((i) => i.id === Number(item?.id));
  assert.deepEqual([shown?.status, shown?.interactionIds, shown?.source, (shown?.events as { toStatus: string; actor: string }[]).map((e) => [e.toStatus, e.actor])],
    ['pending', [interactionId], 'correction', [['pending', 'auto']]]);

  const approved = await postJson(`${processor.url}/api/knowledge/${item?.id}/approve`, { reason: 'checked with the depot' });
  assert.equal(approved.status, 200);
  const events = (approved.json as { events: { fromStatus: string | null; toStatus: string; actor: string; reason: string }[] }).events;
  assert.deepEqual(events.map((e) => [e.fromStatus, e.toStatus, e.actor]), [[null, 'pending', 'auto'], ['pending', 'committed', 'local']]);
  assert.equal(events[1]?.reason, 'checked with the depot');

  const list = await get('/api/knowledge?agent=support-agent');
  assert.equal(list.status, 200);
  const mine = (list.json?.items as Record<string, unknown>[]).find((i) => i.id === Number(item?.id));
  assert.deepEqual(Object.keys(mine ?? {}), ['id', 'key', 'content', 'confidence', 'agent', 'source', 'committedAt', 'version']);
  assert.deepEqual([mine?.content, mine?.agent, mine?.source, mine?.version], [`Parcel ${term} is at the Berlin depot.`, 'support-agent', 'correction', 1]);
  assert.deepEqual(list.json?.guidance, { reinforce: [], avoid: [] });
  assert.match(list.etag ?? '', /^".+"$/);
  const again = await get('/api/knowledge?agent=support-agent', { 'if-none-match': list.etag as string });
  assert.deepEqual([again.status, again.json], [304, undefined]);
  // Another agent sees only its own and shared items, not support-agent's.
  const other = await get('/api/knowledge?agent=billing-agent');
  assert.equal((other.json?.items as { id: number }[]).some((i) => i.id === Number(item?.id)), false);

  const found = await get(`/api/knowledge/search?agent=support-agent&q=${encodeURIComponent(`where is my parcel ${term} now`)}`);
  assert.equal((found.json?.items as { id: number }[])[0]?.id, Number(item?.id));

  const twice = await postJson(`${processor.url}/api/knowledge/${item?.id}/reject`, {});
  assert.deepEqual([twice.status, twice.json], [409, { error: `knowledge item ${item?.id} is committed, not pending` }]);
});

test('a second user agreeing merges and raises confidence; a contradiction supersedes the pending item, which is kept', async () => {
  const term = word();
  await corrected(`When does store ${term} open?`, `Store ${term} opens at 9.`, 'u-1');
  await settled(term, 1);
  await corrected(`when does the store ${term} open`, `store ${term} opens at 9`, 'u-2');
  await waitFor('the merge', async () => ((await itemsOf(term))[0]?.confidence === 0.6667 ? true : undefined), 30_000);
  // Two users against one: flagged for review, not superseded.
  await corrected(`When does store ${term} open?`, `Store ${term} opens at 10.`, 'u-3');
  const [first, second] = await settled(term, 2);
  assert.deepEqual([first?.status, first?.content, first?.confidence], ['pending', `Store ${term} opens at 9.`, 0.5]);
  assert.deepEqual([second?.status, second?.conflict_with, second?.confidence, second?.version], ['pending', first?.id, 0.25, 2]);
  // Approving the flagged one supersedes the other: both kept.
  assert.equal((await postJson(`${processor.url}/api/knowledge/${second?.id}/approve`, {})).status, 200);
  const [old, now] = await itemsOf(term);
  assert.deepEqual([old?.status, old?.superseded_by, now?.status, now?.supersedes], ['superseded', second?.id, 'committed', first?.id]);

  const term2 = word();
  await corrected(`Is ticket ${term2} refundable?`, `Ticket ${term2} is refundable.`, 'u-1');
  await settled(term2, 1);
  await corrected(`Is ticket ${term2} refundable?`, `Ticket ${term2} cannot be refunded after departure.`, 'u-2');
  const [a, b] = await settled(term2, 2);
  assert.deepEqual([a?.status, a?.superseded_by, b?.status, b?.supersedes, b?.version, b?.confidence], ['superseded', b?.id, 'pending', a?.id, 2, 0.5]);
  const review = await get('/api/knowledge?status=superseded');
  const shown = (review.json?.items as { id: number; events: { toStatus: string; reason: string }[] }[]).find((i) => i.id === Number(a?.id));
  assert.deepEqual(shown?.events.map((e) => [e.toStatus, e.reason]), [['pending', 'from correction'], ['superseded', `superseded by #${b?.id}`]]);
});

test('once 10 are pending, the batch rule commits those above the confidence threshold and leaves the rest pending', async () => {
  const confident = word();
  await corrected(`Which gate for flight ${confident}?`, `Flight ${confident} boards at gate 12.`, 'u-1');
  await corrected(`Which gate for flight ${confident}?`, `flight ${confident} boards at gate 12`, 'u-2');
  const weak = Array.from({ length: 9 }, word);
  for (const term of weak) await corrected(`Which gate for flight ${term}?`, `Flight ${term} boards at gate 3.`, 'u-1');
  const [item] = await waitFor('the batch commit', async () => {
    const rows = await itemsOf(confident);
    return rows[0]?.status === 'committed' ? rows : undefined;
  }, 30_000);
  assert.equal(item?.confidence, 0.6667);
  // Items left pending by earlier tests count towards the 10, so the commit can come before
  // every weak correction has become its item: wait for each, then check it stayed pending.
  for (const term of weak) assert.deepEqual((await settled(term, 1)).map((r) => [r.status, r.confidence]), [['pending', 0.5]]);
  const [event] = await processor.query<{ actor: string; reason: string }>(
    "SELECT actor, reason FROM knowledge_events WHERE item_id = $1 AND to_status = 'committed'", [item?.id]);
  assert.equal(event?.actor, 'auto');
  assert.match(event?.reason ?? '', /^batch commit: confidence above 0.6 with \d+ pending$/);
});

test("another project's keys see none of this project's knowledge, and cannot approve it", async () => {
  const pool = new pg.Pool({ connectionString: processor.postgres.url, max: 1 });
  try {
    const a = await ensureProject(pool, 'kn-a');
    const b = await ensureProject(pool, 'kn-b');
    const aAdmin = (await createApiKey(pool, { projectId: a.id, role: 'admin', name: 'kn-a-admin' })).key;
    const bAdmin = (await createApiKey(pool, { projectId: b.id, role: 'admin', name: 'kn-b-admin' })).key;
    const aKey = { authorization: `Bearer ${aAdmin}` };
    const bKey = { authorization: `Bearer ${bAdmin}` };
    await waitFor('keys to be required', async () => ((await get('/api/knowledge')).status === 401 ? true : undefined));
    const term = word();
    await corrected(`Where is locker ${term}?`, `Locker ${term} is on floor 2.`, 'u-1', aKey);
    const [item] = await settled(term, 1);
    const fromB = await get('/api/knowledge?status=pending', bKey);
    assert.deepEqual(fromB.json?.items, []);
    const denied = await postJson(`${processor.url}/api/knowledge/${item?.id}/approve`, {}, bKey);
    assert.deepEqual([denied.status, denied.json], [404, { error: `no knowledge item ${item?.id}` }]);
    const approved = await postJson(`${processor.url}/api/knowledge/${item?.id}/approve`, {}, aKey);
    assert.equal(approved.status, 200);
    assert.deepEqual((approved.json as { events: { actor: string }[] }).events.map((e) => e.actor), ['auto', 'kn-a-admin']);
    assert.deepEqual((await get('/api/knowledge', bKey)).json?.items, []);
    const fromA = (await get('/api/knowledge', aKey)).json?.items as { id: number }[];
    assert.deepEqual(fromA.map((i) => i.id), [Number(item?.id)]);
  } finally {
    await pool.end();
  }
});
