// Delivery guarantees: 200 only after commit, idempotent retries, any arrival order.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { endAgentTrace, startAgentTrace, tracerProvider } from './otel-senders.ts';
import { startProcessor, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor();
});
after(async () => {
  await processor.stop();
});

const comparable = (row: Record<string, unknown>) => {
  const { id: _id, trace_id: _t, span_id: _s, span_ids, tools, created_at: _c, updated_at: _u, ...rest } = row;
  return { ...rest, spanCount: (span_ids as string[]).length, tools: (tools as { name: string }[]).map((t) => t.name) };
};

/** A pass-through proxy in front of the processor that keeps each request it forwards, body and all. */
async function recordingProxy(target: string) {
  const requests: { path: string; contentType: string; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ path: req.url ?? '', contentType, body });
      void fetch(`${target}${req.url}`, { method: 'POST', headers: { 'content-type': contentType }, body }).then(
        async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const spanItems = async () => {
  const text = await (await fetch(`${processor.url}/metrics`)).text();
  const count = (result: string) => Number(new RegExp(`^flywheel_otlp_items_total\\{signal="traces",result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  return { stored: count('stored'), duplicate: count('duplicate') };
};

test('the same export sent twice stores nothing twice', async () => {
  // The real protobuf exporter's request, captured on its way to the processor...
  const proxy = await recordingProxy(processor.url);
  const provider = tracerProvider({ url: proxy.url, encoding: 'protobuf', gzip: false });
  const t = startAgentTrace(provider, { conversation: 'dup', user: 'u' });
  endAgentTrace(t);
  await provider.forceFlush();
  await provider.shutdown();
  await proxy.close();
  assert.deepEqual(
    proxy.requests.map((r) => [r.path, r.contentType]),
    [['/v1/traces', 'application/x-protobuf']],
  );
  const traceId = t.root.spanContext().traceId;
  const spansOf = (trace: string) => processor.query('SELECT span_id, received_at FROM spans WHERE trace_id = $1 ORDER BY span_id', [trace]);
  const interactionsOf = (trace: string) => processor.query('SELECT * FROM interactions WHERE trace_id = $1', [trace]);
  const spansBefore = await spansOf(traceId);
  const interactionsBefore = await interactionsOf(traceId);
  assert.equal(spansBefore.length, 4);
  assert.equal(interactionsBefore.length, 1);
  const itemsBefore = await spanItems();

  // ...sent again byte for byte, as the exporter's retry after a lost answer would.
  const again = await fetch(`${processor.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: proxy.requests[0]!.body,
  });
  assert.equal(again.status, 200);
  assert.equal((await again.arrayBuffer()).byteLength, 0); // an empty ExportTraceServiceResponse
  assert.deepEqual(await spansOf(traceId), spansBefore);
  assert.deepEqual(await interactionsOf(traceId), interactionsBefore);
  assert.deepEqual(await spanItems(), { stored: itemsBefore.stored, duplicate: itemsBefore.duplicate + 4 });

  // The same for a hand-built OTLP/JSON export, sent twice.
  const turn = agentTurn();
  const body = tracesRequest([turn.root, ...turn.children]);
  const first = await postJson(`${processor.url}/v1/traces`, body);
  const second = await postJson(`${processor.url}/v1/traces`, body);
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.deepEqual(second.json, {});
  const spans = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [turn.traceId]);
  assert.equal(spans[0]!.n, 4);
  const interactions = await processor.query('SELECT count(*)::int AS n FROM interactions WHERE trace_id = $1', [turn.traceId]);
  assert.equal(interactions[0]!.n, 1);
});

test('log records sent twice are stored once', async () => {
  const turn = agentTurn();
  const logs = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-agent' } }] },
        scopeLogs: [
          {
            scope: { name: 'feedback' },
            logRecords: [
              {
                timeUnixNano: '1767225605000000000',
                eventName: 'gen_ai.evaluation.result',
                traceId: turn.traceId,
                spanId: turn.rootId,
                attributes: [{ key: 'gen_ai.evaluation.score.value', value: { doubleValue: 1 } }],
              },
            ],
          },
        ],
      },
    ],
  };
  assert.equal((await postJson(`${processor.url}/v1/logs`, logs)).status, 200);
  assert.equal((await postJson(`${processor.url}/v1/logs`, logs)).status, 200);
  const rows = await processor.query('SELECT count(*)::int AS n FROM log_records WHERE trace_id = $1', [turn.traceId]);
  assert.equal(rows[0]!.n, 1);
});

test('spans of one trace arriving child-first in separate requests give the same interaction as one batch', async () => {
  const together = agentTurn({ session: 's-order' });
  const apart = agentTurn({ session: 's-order' });
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([together.root, ...together.children]))).status, 200);

  // Children one request each, newest first, then the parent last.
  for (const child of [...apart.children].reverse()) {
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([child]))).status, 200);
  }
  const partial = await processor.query('SELECT id FROM interactions WHERE trace_id = $1', [apart.traceId]);
  // Before the parent arrives, each top-most GenAI span stands alone.
  assert.equal(partial.length, 3);
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([apart.root]))).status, 200);

  const [a] = await processor.query('SELECT * FROM interactions WHERE trace_id = $1', [together.traceId]);
  const rows = await processor.query('SELECT * FROM interactions WHERE trace_id = $1', [apart.traceId]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.id, apart.id);
  assert.deepEqual(comparable(rows[0]!), comparable(a!));
  assert.equal(rows[0]!.input_tokens, '300');
  assert.equal(rows[0]!.output_tokens, '30');
});

test('concurrent requests carrying spans of the same traces lose none of them', async () => {
  const turns = Array.from({ length: 20 }, () => agentTurn());
  // Every request carries one span of every trace, all sent at once.
  const requests = [0, 1, 2, 3].map((k) =>
    postJson(`${processor.url}/v1/traces`, tracesRequest(turns.map((t) => (k === 0 ? t.root : t.children[k - 1]!)))),
  );
  const statuses = (await Promise.all(requests)).map((r) => r.status);
  assert.deepEqual(statuses, [200, 200, 200, 200]);
  const rows = await processor.query<{ trace_id: string; n: number; tokens: string }>(
    `SELECT trace_id, array_length(span_ids, 1) AS n, input_tokens::text AS tokens
     FROM interactions WHERE trace_id = ANY($1) ORDER BY trace_id`,
    [turns.map((t) => t.traceId)],
  );
  assert.equal(rows.length, 20);
  for (const row of rows) {
    assert.equal(row.n, 4);
    assert.equal(row.tokens, '300');
  }
});
