// Knowledge sources through the real processor: registered over POST /api/sources, refreshed by
// the knowledge stage's `knowledge.sources` job from a local HTTP server the test runs (ETag,
// 304s counted there) and from a file:// document, split into items, versioned when a section
// changes; learnt knowledge relying on a changed source marked stale; failures recorded and
// retried; timeliness fed by the sources' last change and pulled items' commit time.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { ensureProject } from '../processor/src/store/access/projects.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, msAgo, waitFor } from './score-fixtures.ts';

const MAX_BYTES = 64 * 1024;

/** The documents the server serves, by path; a number is how many 500s to answer before the document. */
const documents = new Map<string, { body: string; type: string; failFirst?: number; chunked?: boolean }>();
const requests = new Map<string, { total: number; conditional: number; notModified: number }>();
const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;

let server: Server;
let base: string;
let processor: TestProcessor;
let dir: string;

before(async () => {
  server = createServer((req, res) => {
    const doc = documents.get(req.url ?? '');
    const seen = requests.get(req.url ?? '') ?? { total: 0, conditional: 0, notModified: 0 };
    requests.set(req.url ?? '', seen);
    seen.total += 1;
    if (doc === undefined) return void res.writeHead(404).end();
    if (doc.failFirst !== undefined && seen.total <= doc.failFirst) return void res.writeHead(500).end('boom');
    const etag = etagOf(doc.body);
    const given = req.headers['if-none-match'];
    if (given !== undefined) seen.conditional += 1;
    if (given === etag) {
      seen.notModified += 1;
      return void res.writeHead(304, { etag }).end();
    }
    if (doc.chunked === true) {
      // No Content-Length: the processor must stop reading on its own.
      res.writeHead(200, { 'content-type': doc.type, etag });
      for (let i = 0; i < doc.body.length; i += 8192) res.write(doc.body.slice(i, i + 8192));
      return void res.end();
    }
    res.writeHead(200, { 'content-type': doc.type, etag, 'content-length': Buffer.byteLength(doc.body) }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'flywheel-sources-'));
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_KNOWLEDGE_POLL_MS: '100',
      // Every learnt item is committed at once by the batch rule; an untrusted source's still wait for a person.
      FLYWHEEL_KNOWLEDGE_COMMIT_BATCH: '1',
      FLYWHEEL_KNOWLEDGE_COMMIT_CONFIDENCE: '0.4',
      FLYWHEEL_SOURCES_POLL_MS: '100',
      FLYWHEEL_SOURCE_MAX_BYTES: String(MAX_BYTES),
      FLYWHEEL_SOURCE_TIMEOUT_MS: '5000',
    },
  });
});
after(async () => {
  await processor.stop();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const word = () => `w${randomBytes(4).toString('hex')}`;

/** Replaces a file at once (a refresh never reads it half written). */
async function replaceFile(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${processor.url}${url}`, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

interface SourceJson {
  id: number; uri: string; agent: string | null; updateFrequency: number; trusted: boolean; lastFetchedAt: string | null;
  lastChangedAt: string | null; nextFetchAt: string; status: string; error: string | null; items: number;
}

async function sourceNamed(uri: string): Promise<SourceJson | undefined> {
  return ((await get('/api/sources')).json.sources as SourceJson[]).find((s) => s.uri === uri);
}

const sourceWhere = (uri: string, what: string, check: (s: SourceJson) => boolean) =>
  waitFor(`source ${uri}: ${what}`, async () => {
    const source = await sourceNamed(uri);
    return source !== undefined && check(source) ? source : undefined;
  }, 20_000);

interface ItemRow { id: string; key: string; content: string; status: string; version: number; supersedes: string | null; superseded_by: string | null; conflict_with: string | null; agent: string | null; confidence: number }

const itemsOf = (uri: string) =>
  processor.query<ItemRow>(
    `SELECT id::text, key, content, status, version, supersedes::text, superseded_by::text, conflict_with::text, agent, confidence
     FROM knowledge_items k WHERE source_uri = $1 ORDER BY k.id`,
    [uri],
  );

const faq = (returns: string, extra = '\n## Customs\nPaid by the buyer.\n') =>
  `# Shipping\nWe ship worldwide.\n## Returns\n${returns}\n${extra}# Contact\nMail help@example.test.\n`;

/** Sends a turn that names `sources` in flywheel.knowledge.sources, and a correction of it; returns the interaction id. */
async function correctedWithSources(question: string, correction: string, sources: string[]): Promise<string> {
  const turn = contentTurn({ question, answer: 'I do not know.', offsetMs: msAgo(0) });
  const root = turn.spans[0] as { attributes: { key: string; value: unknown }[] };
  root.attributes.push({ key: 'flywheel.knowledge.sources', value: { arrayValue: { values: sources.map((s) => ({ stringValue: s })) } } });
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turn.spans as never[]))).status, 200);
  assert.equal((await postJson(`${processor.url}/api/feedback`, { interactionId: turn.id, thumbs: 'down', correction, userId: 'u-src' })).status, 201);
  return turn.id;
}

test('a trusted http source: sections committed for its agent; unchanged it gets 304s; a changed section is superseded, the others are not', async () => {
  const docPath = `/${word()}/faq.md`;
  const uri = `${base}${docPath}`;
  documents.set(docPath, { body: faq('Within 30 days.'), type: 'text/markdown; charset=utf-8' });
  const created = await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 'PT1S', agent: 'src-agent', trusted: true });
  assert.equal(created.status, 201);
  const shown = created.json as SourceJson;
  assert.deepEqual(Object.keys(shown), ['id', 'uri', 'agent', 'updateFrequency', 'trusted', 'lastFetchedAt', 'lastChangedAt', 'nextFetchAt', 'status', 'error', 'items']);
  assert.deepEqual([shown.uri, shown.agent, shown.updateFrequency, shown.trusted, shown.status, shown.error, shown.items, shown.lastFetchedAt, shown.lastChangedAt],
    [uri, 'src-agent', 1, true, 'pending', null, 0, null, null]);

  const first = await sourceWhere(uri, 'read', (s) => s.status === 'ok');
  assert.equal(first.items, 4);
  const v1 = await itemsOf(uri);
  assert.deepEqual(v1.map((i) => [i.key, i.content, i.status, i.version, i.agent, i.confidence]), [
    ['source:Shipping', 'We ship worldwide.', 'committed', 1, 'src-agent', 1],
    ['source:Shipping > Returns', 'Within 30 days.', 'committed', 1, 'src-agent', 1],
    ['source:Shipping > Customs', 'Paid by the buyer.', 'committed', 1, 'src-agent', 1],
    ['source:Contact', 'Mail help@example.test.', 'committed', 1, 'src-agent', 1],
  ]);
  const pulled = (await get('/api/knowledge?agent=src-agent')).json.items as { id: number; key: string; source: string; content: string }[];
  assert.deepEqual(pulled.filter((i) => i.source === uri).map((i) => i.key).sort(), ['source:Contact', 'source:Shipping', 'source:Shipping > Customs', 'source:Shipping > Returns']);
  const [event] = await processor.query<{ from_status: string | null; to_status: string; actor: string; reason: string }>(
    'SELECT from_status, to_status, actor, reason FROM knowledge_events WHERE item_id = $1', [v1[1]?.id]);
  assert.deepEqual(event, { from_status: null, to_status: 'committed', actor: 'auto', reason: `from trusted source ${uri}` });

  // Unchanged: the next reads send the ETag and get a 304; nothing changes.
  await waitFor('a 304 to If-None-Match', async () => ((requests.get(docPath)?.notModified ?? 0) >= 2 ? true : undefined), 20_000);
  const unchanged = await sourceNamed(uri);
  assert.equal(unchanged?.lastChangedAt, first.lastChangedAt);
  assert.ok((unchanged?.lastFetchedAt ?? '') > (first.lastFetchedAt ?? ''));
  assert.deepEqual((await itemsOf(uri)).map((i) => i.id), v1.map((i) => i.id));

  // Knowledge learnt from an interaction that relied on this source and on one of its items.
  const term = word();
  const returnsItem = `knowledge://${v1[1]?.id}`;
  const interactionId = await correctedWithSources(`Can I return parcel ${term}?`, `Parcel ${term} can be returned within 30 days.`, [uri, returnsItem]);
  const [learnt] = await waitFor('the learnt item, committed by the batch rule', async () => {
    const rows = await processor.query<{ id: string }>("SELECT id::text FROM knowledge_items WHERE key LIKE '%' || $1 || '%' AND status = 'committed'", [term]);
    return rows.length > 0 ? rows : undefined;
  }, 20_000);
  const [timeliness] = await processor.query<{ t: { score: number; details: { method: string; sources: { id: string; ageDays: number }[] } } }>(
    "SELECT dimensions->'timeliness' AS t FROM interaction_scores WHERE interaction_id = $1", [interactionId]);
  assert.equal(timeliness?.t.details.method, 'source_freshness');
  assert.deepEqual(timeliness?.t.details.sources.map((s) => s.id), [uri, returnsItem]);
  assert.equal(timeliness?.t.score, 1);

  // One section changes: it gets version 2, superseding version 1; the others stay as they were.
  documents.set(docPath, { body: faq('Within 60 days.'), type: 'text/markdown' });
  const changed = await sourceWhere(uri, 'changed', (s) => s.lastChangedAt !== first.lastChangedAt);
  const v2 = await itemsOf(uri);
  assert.equal(v2.length, 5);
  const [oldReturns, newReturns] = v2.filter((i) => i.key === 'source:Shipping > Returns');
  assert.deepEqual([oldReturns?.id, oldReturns?.status, oldReturns?.superseded_by], [v1[1]?.id, 'superseded', newReturns?.id]);
  assert.deepEqual([newReturns?.content, newReturns?.status, newReturns?.version, newReturns?.supersedes], ['Within 60 days.', 'committed', 2, v1[1]?.id]);
  for (const other of [v1[0], v1[2], v1[3]]) {
    assert.deepEqual(v2.find((i) => i.id === other?.id), other, `${other?.key} left alone`);
  }
  assert.equal(changed.items, 4);
  const conditional = requests.get(docPath)?.conditional ?? 0;
  assert.ok(conditional >= 3, `${conditional} conditional requests`);

  // The learnt item relied on the source: it is stale now, and review says so.
  const review = (await get('/api/knowledge?stale=true')).json.items as { id: number; status: string; stale: boolean; staleAt: string | null }[];
  const mine = review.find((i) => i.id === Number(learnt?.id));
  assert.deepEqual([mine?.status, mine?.stale], ['committed', true]);
  // Only stale ones are listed so.
  assert.equal(review.some((i) => !i.stale), false);
  assert.match(mine?.staleAt ?? '', /^\d{4}-\d\d-\d\dT/);
  // Re-checked by a person: approved again, the mark is cleared and the confirmation audited;
  // approving it once more is a conflict, as for any committed item that is not stale.
  const confirmed = await postJson(`${processor.url}/api/knowledge/${learnt?.id}/approve`, { reason: 'still 30 days for parcels' });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.json));
  assert.deepEqual([(confirmed.json as { stale: boolean }).stale, (confirmed.json as { status: string }).status], [false, 'committed']);
  assert.equal(((await get('/api/knowledge?stale=true')).json.items as { id: number }[]).some((i) => i.id === Number(learnt?.id)), false);
  const [confirmation] = await processor.query<{ from_status: string; to_status: string; reason: string }>(
    'SELECT from_status, to_status, reason FROM knowledge_events WHERE item_id = $1 ORDER BY id DESC LIMIT 1', [learnt?.id]);
  assert.deepEqual(confirmation, { from_status: 'committed', to_status: 'committed', reason: 'still 30 days for parcels' });
  assert.equal((await postJson(`${processor.url}/api/knowledge/${learnt?.id}/approve`, {})).status, 409);
  assert.equal((await postJson(`${processor.url}/api/knowledge/${learnt?.id}/reject`, {})).status, 409);

  // A section removed from the document is retired: superseded by nothing, with its reason.
  documents.set(docPath, { body: faq('Within 60 days.', '\n'), type: 'text/markdown' });
  await sourceWhere(uri, 'the removal', (s) => s.items === 3);
  const customs = (await itemsOf(uri)).find((i) => i.key === 'source:Shipping > Customs');
  assert.deepEqual([customs?.status, customs?.superseded_by], ['superseded', null]);
  const [retired] = await processor.query<{ reason: string }>("SELECT reason FROM knowledge_events WHERE item_id = $1 AND to_status = 'superseded'", [customs?.id]);
  assert.equal(retired?.reason, `section 'source:Shipping > Customs' is no longer in ${uri}`);

  // The source changed again: the learnt item is stale again; rejected, it is no longer served.
  const restale = (await get('/api/knowledge?stale=true')).json.items as { id: number }[];
  assert.ok(restale.some((i) => i.id === Number(learnt?.id)), 'stale again after the second change');
  const rejected = await postJson(`${processor.url}/api/knowledge/${learnt?.id}/reject`, { reason: 'policy changed' });
  assert.equal(rejected.status, 200, JSON.stringify(rejected.json));
  assert.equal((rejected.json as { status: string }).status, 'rejected');
  assert.equal(((await get('/api/knowledge')).json.items as { id: number }[]).some((i) => i.id === Number(learnt?.id)), false);
});

test('an untrusted file:// source: sections pending for review; a change of an approved one waits for approval, of a pending one supersedes it', async () => {
  const file = path.join(dir, `${word()}.md`);
  const uri = pathToFileURL(file).href;
  await replaceFile(file, '# Hours\nOpen 9 to 5.\n# Phone\nCall 555-0100.\n');
  const created = await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 1 });
  assert.deepEqual([created.status, (created.json as SourceJson).agent, (created.json as SourceJson).trusted], [201, null, false]);
  await sourceWhere(uri, 'read', (s) => s.status === 'ok' && s.items === 2);
  const [hours, phone] = await itemsOf(uri);
  assert.deepEqual([hours?.status, hours?.confidence, phone?.status, hours?.agent], ['pending', 0.5, 'pending', null]);
  // The batch rule (a batch of 1 above 0.4 here) leaves them for a person: a few runs later they are still pending.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual((await itemsOf(uri)).map((i) => i.status), ['pending', 'pending']);
  const pulled = (await get('/api/knowledge?agent=any-agent')).json.items as { source: string }[];
  assert.equal(pulled.some((i) => i.source === uri), false);

  assert.equal((await postJson(`${processor.url}/api/knowledge/${hours?.id}/approve`, {})).status, 200);
  await replaceFile(file, '# Hours\nOpen 8 to 6.\n# Phone\nCall 555-0199.\n');
  const after = await waitFor('the new versions', async () => {
    const rows = await itemsOf(uri);
    return rows.length === 4 ? rows : undefined;
  }, 20_000);
  const [h1, p1, x, y] = after;
  const [h2, p2] = x?.key === 'source:Hours' ? [x, y] : [y, x];
  // The approved version stays committed until a person approves the new one.
  assert.deepEqual([h1?.status, h2?.status, h2?.version, h2?.conflict_with, h2?.content], ['committed', 'pending', 2, hours?.id, 'Open 8 to 6.']);
  // The pending version is replaced by the newer one.
  assert.deepEqual([p1?.status, p1?.superseded_by, p2?.status, p2?.supersedes, p2?.version], ['superseded', p2?.id, 'pending', phone?.id, 2]);
  assert.equal((await postJson(`${processor.url}/api/knowledge/${h2?.id}/approve`, {})).status, 200);
  const approved = await itemsOf(uri);
  assert.deepEqual(approved.filter((i) => i.key === 'source:Hours').map((i) => [i.version, i.status]), [[1, 'superseded'], [2, 'committed']]);
});

test('a failing source records its error and is retried until it answers; an oversized one is aborted', async () => {
  const flakyPath = `/${word()}/flaky.txt`;
  documents.set(flakyPath, { body: 'Paragraph one.\n\nParagraph two.', type: 'text/plain', failFirst: 2 });
  const flaky = `${base}${flakyPath}`;
  assert.equal((await postJson(`${processor.url}/api/sources`, { uri: flaky, updateFrequency: 1, trusted: true })).status, 201);
  const failed = await sourceWhere(flaky, 'the error', (s) => s.status === 'error');
  assert.deepEqual([failed.error, failed.lastFetchedAt, failed.items], ['HTTP 500 Internal Server Error', null, 0]);
  const recovered = await sourceWhere(flaky, 'the recovery', (s) => s.status === 'ok');
  assert.deepEqual([recovered.error, recovered.items], [null, 2]);
  assert.ok((requests.get(flakyPath)?.total ?? 0) >= 3);

  const bigPath = `/${word()}/big.md`;
  documents.set(bigPath, { body: `# Big\n${'x'.repeat(MAX_BYTES * 2)}\n`, type: 'text/markdown', chunked: true });
  const big = `${base}${bigPath}`;
  assert.equal((await postJson(`${processor.url}/api/sources`, { uri: big, updateFrequency: 1, trusted: true })).status, 201);
  const oversized = await sourceWhere(big, 'the size error', (s) => s.status === 'error');
  assert.deepEqual([oversized.error, oversized.items], [`the source is larger than ${MAX_BYTES} bytes (FLYWHEEL_SOURCE_MAX_BYTES)`, 0]);
  // Retried later: another request arrives.
  const tries = requests.get(bigPath)?.total ?? 0;
  await waitFor('a retry', async () => ((requests.get(bigPath)?.total ?? 0) > tries ? true : undefined), 20_000);

  // Content Postgres refuses (a NUL character) is recorded on the source too, not retried at every run.
  const nulPath = `/${word()}/nul.md`;
  documents.set(nulPath, { body: '# A\nbad \u0000 byte\n', type: 'text/markdown' });
  const nul = `${base}${nulPath}`;
  assert.equal((await postJson(`${processor.url}/api/sources`, { uri: nul, updateFrequency: 'PT1H', trusted: true })).status, 201);
  const refused = await sourceWhere(nul, 'the store error', (s) => s.status === 'error');
  assert.match(refused.error ?? '', /^storing its items failed: /);
  assert.equal(requests.get(nulPath)?.total, 1);
  assert.ok(Date.parse(refused.nextFetchAt) - Date.now() > 5_000, `retried at ${refused.nextFetchAt}, after the backoff`);

  const missing = pathToFileURL(path.join(dir, 'nope.md')).href;
  assert.equal((await postJson(`${processor.url}/api/sources`, { uri: missing, updateFrequency: 1 })).status, 201);
  const gone = await sourceWhere(missing, 'the error', (s) => s.status === 'error');
  assert.match(gone.error ?? '', /^ENOENT: no such file or directory/);
});

test('registration: a bad uri or frequency is a 400 with the reason, a duplicate a 409 naming the existing one; DELETE retires its items', async () => {
  const bad = async (body: unknown) => {
    const r = await postJson(`${processor.url}/api/sources`, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    return (r.json as { error: string }).error;
  };
  assert.match(await bad({ uri: 'ftp://x.test/a', updateFrequency: 60 }), /uri must use http:\/\/, https:\/\/ or file:\/\/, got ftp:\/\//);
  assert.match(await bad({ uri: 'faq.md', updateFrequency: 60 }), /uri must be an absolute http:\/\/, https:\/\/ or file:\/\/ URL, got 'faq.md'/);
  assert.match(await bad({ uri: 'https://x.test/a', updateFrequency: 'P1M' }), /uses years or months/);
  assert.match(await bad({ uri: 'https://x.test/a', updateFrequency: '1h' }), /updateFrequency must be seconds or an ISO 8601 duration/);
  assert.match(await bad({ uri: 'https://x.test/a' }), /updateFrequency/);
  assert.match(await bad({ uri: 'https://x.test/a', updateFrequency: 60, colour: 'red' }), /colour/);

  const docPath = `/${word()}/dup.json`;
  documents.set(docPath, { body: JSON.stringify({ a: 'Answer A.', b: 'Answer B.' }), type: 'application/json' });
  const uri = `${base}${docPath}`;
  const first = await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 'PT1H', trusted: true });
  assert.equal(first.status, 201);
  const again = await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 60 });
  const id = (first.json as SourceJson).id;
  assert.equal(again.status, 409);
  assert.deepEqual([(again.json as { error: string }).error, (again.json as { source: SourceJson }).source.id],
    [`${uri} is already registered shared by all agents as source ${id}; DELETE it first to change it`, id]);
  // The same uri for one agent is another source.
  assert.equal((await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 60, agent: 'other' })).status, 201);
  const read = await sourceWhere(uri, 'read', (s) => s.agent === null && s.items === 2);
  assert.equal(read.updateFrequency, 3600);

  const deleted = await fetch(`${processor.url}/api/sources/${id}`, { method: 'DELETE' });
  assert.deepEqual([deleted.status, await deleted.json()], [200, { id, deleted: true, retiredItems: 2 }]);
  assert.deepEqual((await itemsOf(uri)).filter((i) => i.agent === null).map((i) => i.status), ['superseded', 'superseded']);
  assert.equal((await fetch(`${processor.url}/api/sources/${id}`, { method: 'DELETE' })).status, 404);
  assert.equal((await fetch(`${processor.url}/api/sources/abc`, { method: 'DELETE' })).status, 400);
});

test("sources are the caller's project's: a read key lists but cannot register, another project sees none", async () => {
  const pool = new pg.Pool({ connectionString: processor.postgres.url, max: 1 });
  try {
    const a = await ensureProject(pool, 'src-a');
    const b = await ensureProject(pool, 'src-b');
    const aAdmin = (await createApiKey(pool, { projectId: a.id, role: 'admin', name: 'src-a-admin' })).key;
    const aRead = (await createApiKey(pool, { projectId: a.id, role: 'read', name: 'src-a-read' })).key;
    const bRead = (await createApiKey(pool, { projectId: b.id, role: 'read', name: 'src-b-read' })).key;
    const bAdmin = (await createApiKey(pool, { projectId: b.id, role: 'admin', name: 'src-b-admin' })).key;
    const uri = `${base}/${word()}/a.md`;
    const auth = (key: string) => ({ authorization: `Bearer ${key}` });
    await waitFor('keys to be required', async () => ((await fetch(`${processor.url}/api/sources`)).status === 401 ? true : undefined));
    assert.equal((await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 60 }, auth(aRead))).status, 403);
    assert.equal((await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 60 }, auth(aAdmin))).status, 201);
    const listed = (await get('/api/sources', auth(aRead))).json.sources as SourceJson[];
    assert.deepEqual(listed.map((s) => s.uri), [uri]);
    assert.deepEqual((await get('/api/sources', auth(bRead))).json.sources, []);
    const id = listed[0]?.id;
    assert.equal((await fetch(`${processor.url}/api/sources/${id}`, { method: 'DELETE', headers: auth(aRead) })).status, 403);
    assert.equal((await fetch(`${processor.url}/api/sources/${id}`, { method: 'DELETE', headers: auth(bAdmin) })).status, 404);
  } finally {
    await pool.end();
  }
});
