// HTTP hygiene on every door: security headers, header and JSON limits, request timeouts
// (a slow-loris body times out without holding a writer), a client that disconnects
// mid-body leaves nothing behind, errors say no stack or SQL.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { startProcessor, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

let processor: TestProcessor;
let port: number;
before(async () => {
  processor = await startProcessor({
    settings: {
      FLYWHEEL_MAX_CONCURRENT_WRITES: '1',
      FLYWHEEL_REQUEST_TIMEOUT_MS: '1000',
      FLYWHEEL_HEADERS_TIMEOUT_MS: '1000',
      FLYWHEEL_MAX_HEADER_BYTES: '4096',
      FLYWHEEL_MAX_JSON_DEPTH: '8',
    },
  });
  port = Number(new URL(processor.url).port);
});
after(async () => {
  await processor.stop();
});

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${processor.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

/** A raw TCP connection to the processor, collecting what it answers until it closes. */
function rawConnection(): Promise<{ socket: Socket; answer: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, answer: () => answer, closed }));
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('every door answers with the security headers and without X-Powered-By', async () => {
  const turn = agentTurn();
  const answers = [
    await fetch(`${processor.url}/healthz`),
    await fetch(`${processor.url}/metrics`),
    await fetch(`${processor.url}/api/interactions`),
    await fetch(`${processor.url}/api/no-such-route`),
    await fetch(`${processor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tracesRequest([turn.root])) }),
    await fetch(`${processor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
  ];
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 404, 200, 415],
  );
  for (const a of answers) {
    await a.arrayBuffer();
    assert.equal(a.headers.get('x-content-type-options'), 'nosniff', a.url);
    assert.equal(a.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'", a.url);
    assert.equal(a.headers.get('referrer-policy'), 'no-referrer', a.url);
    assert.equal(a.headers.get('x-frame-options'), 'SAMEORIGIN', a.url);
    assert.equal(a.headers.get('cache-control'), 'no-store', a.url);
    assert.equal(a.headers.get('x-powered-by'), null, a.url);
    assert.equal(a.headers.get('strict-transport-security'), null, a.url);
  }
});

test('a REST JSON body nested deeper than FLYWHEEL_MAX_JSON_DEPTH is a 400 that says so; one within it is read', async () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 9; i++) deep = { a: deep };
  const refused = await postJson(`${processor.url}/api/feedback`, { interactionId: 'x', score: 1, metadata: deep });
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.json, { error: 'the JSON body is nested deeper than 8 levels' });
  // Far deeper than any stack: still a 400 (the parser's or the depth check's), no stack trace.
  const abyss = await postJson(`${processor.url}/api/feedback`, `${'['.repeat(30_000)}${']'.repeat(30_000)}`);
  assert.equal(abyss.status, 400);
  assert.doesNotMatch(abyss.text, /\n\s+at /);
  const shallow = await postJson(`${processor.url}/api/feedback`, { interactionId: `${'0'.repeat(32)}-${'0'.repeat(16)}`, score: 1 });
  assert.notEqual(shallow.status, 400, shallow.text);
  assert.ok(shallow.status < 500, shallow.text);
});

test('a request head larger than FLYWHEEL_MAX_HEADER_BYTES is a 431', async () => {
  const r = await fetch(`${processor.url}/healthz`, { headers: { 'x-filler': 'a'.repeat(8000) } });
  assert.equal(r.status, 431);
  assert.equal((await fetch(`${processor.url}/healthz`)).status, 200);
});

test('headers that never finish are cut off after FLYWHEEL_HEADERS_TIMEOUT_MS', async () => {
  const c = await rawConnection();
  c.socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
  const started = Date.now();
  const drip = setInterval(() => c.socket.write('X-A: b\r\n'), 100);
  await c.closed;
  clearInterval(drip);
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 4000, `closed after ${took} ms`);
  assert.match(c.answer(), /^HTTP\/1\.1 408 /);
});

test('a slow-loris body times out with 408 after FLYWHEEL_REQUEST_TIMEOUT_MS without holding the only writer', async () => {
  const turn = agentTurn();
  const body = Buffer.from(JSON.stringify(tracesRequest([turn.root, ...turn.children])));
  const c = await rawConnection();
  c.socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  const started = Date.now();
  let sent = 0;
  const drip = setInterval(() => {
    if (sent < body.length - 1) c.socket.write(body.subarray(sent, ++sent));
  }, 20);
  try {
    // While it trickles in, the one writer is free: other batches are written at once.
    await sleep(300);
    assert.equal(await gauge('flywheel_otlp_writes_in_flight'), 0);
    for (let i = 0; i < 3; i++) {
      const other = agentTurn();
      const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([other.root]));
      assert.equal(r.status, 200);
    }
    await c.closed;
  } finally {
    clearInterval(drip);
  }
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 4000, `closed after ${took} ms`);
  assert.match(c.answer(), /^HTTP\/1\.1 408 /);
  assert.ok(sent < body.length);
  assert.equal(await gauge('flywheel_otlp_pending_bytes'), 0);
  assert.equal(await gauge('flywheel_otlp_writes_in_flight'), 0);
  const rows = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [turn.traceId]);
  assert.equal(rows[0]!.n, 0);
});

test('clients that disconnect mid-body store nothing, leak no memory budget or writer, and the processor keeps serving', async () => {
  const turns = Array.from({ length: 20 }, () => agentTurn());
  for (const [i, turn] of turns.entries()) {
    const body = Buffer.from(JSON.stringify(tracesRequest([turn.root, ...turn.children])));
    const c = await rawConnection();
    const encoding = i % 2 === 0 ? 'application/json' : 'application/x-protobuf';
    c.socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: ${encoding}\r\nContent-Length: ${body.length}\r\n\r\n`);
    c.socket.write(body.subarray(0, Math.floor(body.length / 2)));
    await sleep(10);
    if (i % 2 === 0) c.socket.destroy();
    else c.socket.resetAndDestroy();
    await c.closed;
  }
  await sleep(100);
  assert.equal(await gauge('flywheel_otlp_pending_bytes'), 0);
  assert.equal(await gauge('flywheel_otlp_writes_in_flight'), 0);
  const rows = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = ANY($1)', [turns.map((t) => t.traceId)]);
  assert.equal(rows[0]!.n, 0);
  // The one writer and its connection are free: batch after batch is stored.
  for (let i = 0; i < 5; i++) {
    const turn = agentTurn();
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]))).status, 200);
  }
});

test('errors from the REST routes carry a message, never a stack trace or SQL', async () => {
  const probes = [
    await fetch(`${processor.url}/api/interactions?limit=abc`),
    await fetch(`${processor.url}/api/interactions?limit=1&limit=2`),
    await fetch(`${processor.url}/api/interactions/${encodeURIComponent("' OR 1=1 --")}`),
    await fetch(`${processor.url}/api/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }),
    await fetch(`${processor.url}/api/sources`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }),
  ];
  for (const p of probes) {
    const text = await p.text();
    assert.ok(p.status >= 400 && p.status < 500, `${p.url}: ${p.status} ${text}`);
    assert.equal(typeof (JSON.parse(text) as { error: unknown }).error, 'string', text);
    assert.doesNotMatch(text, /\n\s+at |\bat .*\.ts:\d+|SELECT |INSERT |node_modules/, text);
  }
});
