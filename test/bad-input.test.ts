// Bad input gets a clear error and loses nothing else; the process never crashes on it.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { REJECT_REASONS } from '../processor/src/otlp/records.ts';
import { malformedSpans } from '../processor/test/fixtures/otlp/malformed-spans.ts';
import { startProcessor, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, randomSpanId, randomTraceId, spanJson, tracesRequest } from './otlp-json-builder.ts';

let processor: TestProcessor;
const LIMIT = 64 * 1024;
before(async () => {
  processor = await startProcessor({ settings: { FLYWHEEL_MAX_BODY_BYTES: String(LIMIT) } });
});
after(async () => {
  await processor.stop();
});

async function post(path: string, body: Buffer | string, headers: Record<string, string>) {
  const response = await fetch(`${processor.url}${path}`, { method: 'POST', headers, body });
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

test('an undecodable protobuf body is a 400 with a protobuf Status saying why', async () => {
  const r = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
  assert.equal(r.status, 400);
  assert.equal(r.type, 'application/x-protobuf');
  // google.rpc.Status: field 1 code = 3 (varint), field 2 message (string).
  assert.equal(r.body[0], 0x08);
  assert.equal(r.body[1], 3);
  assert.equal(r.body[2], 0x12);
  assert.match(r.body.subarray(4).toString('utf8'), /could not decode the traces request as protobuf/);
});

test('malformed JSON is a 400 with a JSON Status', async () => {
  const r = await post('/v1/logs', '{"resourceLogs": [', { 'content-type': 'application/json' });
  assert.equal(r.status, 400);
  const status = JSON.parse(r.body.toString());
  assert.equal(status.code, 3);
  assert.match(status.message, /could not decode the logs request as json/);
});

test('a JSON body of the wrong shape is a 400', async () => {
  const r = await post('/v1/traces', '{"resourceSpans": "nope"}', { 'content-type': 'application/json' });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body.toString()).message, /resourceSpans/);
});

test('an unsupported content type is a 415', async () => {
  const r = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
  assert.equal(r.status, 415);
  assert.match(JSON.parse(r.body.toString()).message, /unsupported Content-Type 'text\/plain'/);
});

test('content type parameters are ignored', async () => {
  const turn = agentTurn();
  const r = await post('/v1/traces', JSON.stringify(tracesRequest([turn.root])), { 'content-type': 'application/json; charset=utf-8' });
  assert.equal(r.status, 200);
});

test('an unsupported content encoding is a 400', async () => {
  const r = await post('/v1/traces', 'x', { 'content-type': 'application/json', 'content-encoding': 'br' });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body.toString()).message, /Content-Encoding 'br' is not supported/);
});

test('a body that is not the gzip it claims is a 400', async () => {
  const r = await post('/v1/traces', 'not gzip at all', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body.toString()).message, /not valid gzip/);
});

test('a body over the limit is a 413 without being read whole', async () => {
  const big = Buffer.alloc(LIMIT + 1, 0x20);
  const r = await post('/v1/traces', big, { 'content-type': 'application/json' });
  assert.equal(r.status, 413);
  assert.match(JSON.parse(r.body.toString()).message, /larger than the limit of 65536 bytes/);
});

test('a streamed body over the limit (no Content-Length) is a 413', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${processor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    for (let i = 0; i < 8; i++) req.write(chunk);
    req.end();
  });
  assert.equal(status, 413);
});

test('a gzip bomb (small compressed, huge decompressed) is a 413', async () => {
  const bomb = gzipSync(Buffer.alloc(50 * LIMIT, 0x20));
  assert.ok(bomb.length < LIMIT);
  const r = await post('/v1/traces', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(r.status, 413);
  assert.match(JSON.parse(r.body.toString()).message, /decompressed body is larger than the limit/);
});

test('invalid spans are reported in partial_success and the valid ones kept', async () => {
  const good = agentTurn();
  const zeroTrace = spanJson({ traceId: '0'.repeat(32), spanId: randomSpanId(), name: 'zero trace', startMs: 0, endMs: 1 });
  const shortTrace = spanJson({ traceId: randomTraceId().slice(0, 24), spanId: randomSpanId(), name: 'short', startMs: 0, endMs: 1 });
  const zeroSpan = spanJson({ traceId: randomTraceId(), spanId: '0'.repeat(16), name: 'zero span', startMs: 0, endMs: 1 });
  const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([good.root, zeroTrace, ...good.children, shortTrace, zeroSpan]));
  assert.equal(r.status, 200);
  const partial = (r.json as { partialSuccess: { rejectedSpans: string; errorMessage: string } }).partialSuccess;
  assert.equal(Number(partial.rejectedSpans), 3);
  assert.match(partial.errorMessage, /^3 span\(s\) rejected: /);
  assert.match(partial.errorMessage, /traceId must be 16 bytes, got 12/);
  assert.match(partial.errorMessage, /all zero/);
  const rows = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [good.traceId]);
  assert.equal(rows[0]!.n, 4);
  const stray = await processor.query(`SELECT count(*)::int AS n FROM spans WHERE name IN ('zero trace', 'short', 'zero span')`);
  assert.equal(stray[0]!.n, 0);
});

test('a span timestamp beyond what Postgres can hold rejects that span only', async () => {
  const good = agentTurn();
  const far = { ...spanJson({ traceId: randomTraceId(), spanId: randomSpanId(), name: 'far future', startMs: 0, endMs: 1 }), endTimeUnixNano: '18446744073709551615' };
  const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([good.root, far]));
  assert.equal(r.status, 200);
  const partial = (r.json as { partialSuccess: { rejectedSpans: string; errorMessage: string } }).partialSuccess;
  assert.equal(partial.rejectedSpans, '1');
  assert.equal(partial.errorMessage, '1 span(s) rejected: span 1: endTimeUnixNano must be from 0 to 2^63-1 nanoseconds, got 18446744073709551615');
  const rows = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [good.traceId]);
  assert.equal(rows[0]!.n, 1);
});

test('a span of unknown kind or status code is kept as received, and its interaction built (enums are open)', async () => {
  const turn = agentTurn();
  const INT32_MAX = 2 ** 31 - 1;
  const root = { ...turn.root, kind: 99, status: { code: 99, message: 'a code from a newer sender' } };
  const [chat, ...rest] = turn.children;
  const widest = { ...chat!, kind: INT32_MAX, status: { code: INT32_MAX } };
  const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([root, widest, ...rest]));
  assert.deepEqual([r.status, r.json], [200, {}]);
  const rows = await processor.query('SELECT span_id, kind, status_code, status_message FROM spans WHERE trace_id = $1 AND span_id = ANY ($2::text[]) ORDER BY kind', [
    turn.traceId,
    [turn.rootId, chat!.spanId],
  ]);
  assert.deepEqual(rows, [
    { span_id: turn.rootId, kind: 99, status_code: 99, status_message: 'a code from a newer sender' },
    { span_id: chat!.spanId, kind: INT32_MAX, status_code: INT32_MAX, status_message: '' },
  ]);
  // An unknown code means neither ok nor error to the interaction.
  const interactions = await processor.query('SELECT id, operation, status, span_ids FROM interactions WHERE trace_id = $1', [turn.traceId]);
  assert.deepEqual(interactions, [
    { id: turn.id, operation: 'invoke_agent', status: 'unset', span_ids: [turn.rootId, ...turn.children.map((c) => c.spanId)] },
  ]);
});

test('a log severity number or aggregation temporality beyond smallint is stored as received', async () => {
  const INT32_MAX = 2 ** 31 - 1;
  const logs = {
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1767225600000000000', severityNumber: INT32_MAX, body: { stringValue: 'open enum log' } }] }] }],
  };
  assert.deepEqual(await postJson(`${processor.url}/v1/logs`, logs).then((r) => [r.status, r.json]), [200, {}]);
  const metrics = {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'open.enum.sum',
                sum: { aggregationTemporality: INT32_MAX, dataPoints: [{ timeUnixNano: '1767225600000000000', asInt: '7' }] },
              },
            ],
          },
        ],
      },
    ],
  };
  assert.deepEqual(await postJson(`${processor.url}/v1/metrics`, metrics).then((r) => [r.status, r.json]), [200, {}]);
  assert.deepEqual(await processor.query(`SELECT severity_number FROM log_records WHERE body = '"open enum log"'::jsonb`), [{ severity_number: INT32_MAX }]);
  assert.deepEqual(await processor.query(`SELECT aggregation_temporality, value FROM metric_points WHERE name = 'open.enum.sum'`), [
    { aggregation_temporality: INT32_MAX, value: 7 },
  ]);
});

test('1000 distinct malformed spans are counted in /metrics under the known reasons only, with the usual messages', async () => {
  const rejectedSeries = async () => {
    const text = await (await fetch(`${processor.url}/metrics`)).text();
    const series = new Map<string, number>();
    for (const [, labels, value] of text.matchAll(/^flywheel_otlp_items_total\{([^}]*result="rejected"[^}]*)\} (\d+)$/gm)) {
      series.set(labels!, Number(value));
    }
    return series;
  };
  const before = await rejectedSeries();
  const malformed = malformedSpans(1000);
  for (let start = 0; start < malformed.length; start += 100) {
    const batch = malformed.slice(start, start + 100);
    const r = await postJson(`${processor.url}/v1/traces`, tracesRequest(batch.map((m) => m.span) as never[]));
    assert.equal(r.status, 200);
    const listed = batch.slice(0, 10).map((m, i) => `span ${i}: ${m.message}`);
    assert.deepEqual(r.json, {
      partialSuccess: { rejectedSpans: '100', errorMessage: `100 span(s) rejected: ${listed.join('; ')}; and 90 more` },
    });
  }
  const after = await rejectedSeries();
  const label = (reason: string) => `signal="traces",result="rejected",reason="${reason}"`;
  // Exactly one series per known reason, before and after: the label values are bounded.
  assert.deepEqual([...before.keys()].sort(), REJECT_REASONS.map(label).sort());
  assert.deepEqual([...after.keys()].sort(), REJECT_REASONS.map(label).sort());
  for (const reason of REJECT_REASONS) {
    const expected = malformed.filter((m) => m.reason === reason).length;
    assert.equal(after.get(label(reason))! - before.get(label(reason))!, expected, reason);
  }
  const stored = await processor.query(`SELECT count(*)::int AS n FROM spans WHERE name LIKE 'bad %'`);
  assert.deepEqual(stored, [{ n: 0 }]);
});

test('text the database cannot hold (NUL, lone surrogates) is stored replaced, not refused', async () => {
  const turn = agentTurn();
  const body = JSON.stringify(tracesRequest([turn.root])).replace(
    '"invoke_agent support-agent"',
    '"invoke_agent \\u0000 \\ud800 x"',
  );
  const r = await postJson(`${processor.url}/v1/traces`, body);
  assert.equal(r.status, 200);
  const rows = await processor.query('SELECT name FROM spans WHERE trace_id = $1', [turn.traceId]);
  assert.equal(rows[0]!.name, 'invoke_agent \uFFFD \uFFFD x');
});

test('other methods on the OTLP paths are a 405', async () => {
  const response = await fetch(`${processor.url}/v1/traces`);
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'POST');
});

test('after all of the above the processor still accepts data', async () => {
  const turn = agentTurn();
  const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]));
  assert.equal(r.status, 200);
  const health = await fetch(`${processor.url}/readyz`);
  assert.equal(health.status, 200);
});
