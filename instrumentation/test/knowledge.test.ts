// knowledge(): the client against a local HTTP server serving GET /api/knowledge in its
// documented shape, with an ETag and 304s, going down and coming back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { knowledge, type KnowledgeItem } from '../src/index.ts';

const item = (id: string, key: string, content: string, confidence = 0.9): KnowledgeItem => ({
  id, key, content, confidence, agent: 'support-agent', source: null, committedAt: '2026-12-01T10:00:00.000Z', version: 1,
});

/** What the server answers now: a body with its ETag, or down (503). */
let current: { etag: string; body: unknown } | 'down';
let requests: { url: string; headers: IncomingHttpHeaders }[] = [];
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    if (current === 'down') {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"database unreachable"}');
      return;
    }
    if (req.headers['if-none-match'] === current.etag) {
      res.writeHead(304, { etag: current.etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag: current.etag }).end(JSON.stringify(current.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
});

const returns = item('k1', 'returns refund', 'Refunds are issued within 14 days of the return arriving.');
const shipping = item('k2', 'shipping carrier', 'Orders ship with DHL; tracking arrives by email.', 0.95);
const guidance = { reinforce: ['name the carrier'], avoid: ['promise a delivery date'] };

/** Polls until `check` holds; the client refreshes on its own timer. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('loads the agent\'s items and guidance with the API key, and searches them locally by shared terms', async () => {
  current = { etag: '"v1"', body: { items: [returns, shipping], guidance } };
  const client = knowledge({ agent: 'support agent', url: `${url}/`, apiKey: 'fw_read_key', refreshMs: 60_000 });
  assert.deepEqual(client.items(), []);
  assert.deepEqual(client.search('refund'), []);
  assert.equal(await client.ready(), true);
  client.close();
  assert.deepEqual(requests.map((r) => [r.url, r.headers.authorization, r.headers['if-none-match']]), [['/api/knowledge?agent=support%20agent', 'Bearer fw_read_key', undefined]]);
  assert.deepEqual(client.items(), [returns, shipping]);
  assert.deepEqual(client.guidance(), guidance);
  assert.deepEqual(client.search('When do I get my refund for the return?'), [returns]);
  assert.deepEqual(client.search('Which carrier ships my orders?'), [shipping]);
  assert.deepEqual(client.search('refund for a return, or tracking', 1), [returns]);
  assert.deepEqual(client.search('nothing in common'), []);
});

test('refreshes with If-None-Match: a 304 keeps the cache, a new ETag replaces it', async () => {
  current = { etag: '"v1"', body: { items: [returns], guidance } };
  const client = knowledge({ agent: 'support-agent', url, refreshMs: 20 });
  try {
    await client.ready();
    await until(() => requests.length >= 3);
    assert.deepEqual(requests.slice(1, 3).map((r) => r.headers['if-none-match']), ['"v1"', '"v1"']);
    assert.deepEqual(client.items(), [returns]);
    current = { etag: '"v2"', body: { items: [returns, shipping], guidance: { reinforce: [], avoid: [] } } };
    await until(() => client.items().length === 2);
    assert.deepEqual(client.items(), [returns, shipping]);
    assert.deepEqual(client.guidance(), { reinforce: [], avoid: [] });
  } finally {
    client.close();
  }
});

test('an outage keeps the last good copy without throwing, and the next good answer replaces it', async () => {
  current = { etag: '"v1"', body: { items: [returns], guidance } };
  const client = knowledge({ agent: 'support-agent', url, refreshMs: 20 });
  try {
    assert.equal(await client.ready(), true);
    current = 'down';
    const seen = requests.length;
    await until(() => requests.length >= seen + 3);
    assert.deepEqual(client.items(), [returns]);
    assert.deepEqual(client.search('refund'), [returns]);
    current = { etag: '"v3"', body: { items: [shipping], guidance } };
    await until(() => client.items()[0]?.id === 'k2');
    assert.deepEqual(client.items(), [shipping]);
  } finally {
    client.close();
  }
});

test('a processor that is not there, or answers another shape, leaves the agent with empty knowledge', async () => {
  const nowhere = knowledge({ agent: 'support-agent', url: 'http://127.0.0.1:1', refreshMs: 60_000 });
  assert.equal(await nowhere.ready(), false);
  nowhere.close();
  assert.deepEqual([nowhere.items(), nowhere.guidance(), nowhere.search('refund')], [[], { reinforce: [], avoid: [] }, []]);
  current = { etag: '"bad"', body: { knowledge: 'not the documented shape' } };
  const odd = knowledge({ agent: 'support-agent', url, refreshMs: 60_000 });
  assert.equal(await odd.ready(), false);
  odd.close();
  assert.deepEqual(odd.items(), []);
});

test('the refresh timer does not keep the process alive, and close() stops it', async () => {
  current = { etag: '"v1"', body: { items: [returns], guidance } };
  // A process that loads knowledge and never closes it exits on its own when its work is done.
  const script = `import { knowledge } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
    const client = knowledge({ agent: 'support-agent', url: ${JSON.stringify(url)}, refreshMs: 10 });
    console.log(await client.ready(), client.items().length);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.deepEqual([code, stdout], [0, 'true 1\n']);
  const client = knowledge({ agent: 'support-agent', url, refreshMs: 10 });
  await client.ready();
  client.close();
  const seen = requests.length;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(requests.length, seen);
});
