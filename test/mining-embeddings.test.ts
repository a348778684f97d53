// Topic clusters through an embeddings endpoint: with FLYWHEEL_MINE_EMBEDDINGS_MODEL set, the
// mining pass sends the inputs to an OpenAI-compatible /v1/embeddings (here a local server whose
// vectors follow the meaning of a question, not its words) and clusters by cosine similarity, so
// paraphrases sharing no word join one cluster. When the endpoint fails, the pass clusters the new
// inputs by MinHash instead and mining goes on.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createLogger } from '../processor/src/runtime/logger.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, waitFor } from './score-fixtures.ts';

const AGENT = 'embeddings-agent';
const MODEL = 'text-embedding-3-small';

// Two meanings, four phrasings each, no content word shared within a meaning.
const SIGN_IN = ['How do I reset my password?', 'I forgot my login credentials', 'Cannot sign into my account', 'Locked out, help me get access back'];
const DELIVERY = ['Where is my parcel?', 'When will the package arrive?', 'Has my shipment left the warehouse?', 'Track delivery status please'];
const CONCEPTS: [RegExp, number][] = [[/password|login|credentials|sign|locked|access/i, 0], [/parcel|package|shipment|delivery/i, 1]];

interface EmbeddingsRequest { model: string; input: string[] }
const requests: EmbeddingsRequest[] = [];
let failing = false;
let server: ReturnType<typeof createServer>;
let processor: TestProcessor;
const warnings: string[] = [];

/** A vector along the question's meaning, with a small deterministic wobble from its length. */
function vectorOf(text: string): number[] {
  const vector = new Array<number>(16).fill(0);
  for (const [pattern, axis] of CONCEPTS) if (pattern.test(text)) vector[axis] = 1;
  vector[8 + (text.length % 8)] = 0.1;
  return vector;
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EmbeddingsRequest;
      requests.push(body);
      if (req.url !== '/v1/embeddings' || failing) {
        res.writeHead(failing ? 500 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: failing ? 'embeddings are down' : 'not found', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        object: 'list',
        model: body.model,
        data: body.input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) })),
        usage: { prompt_tokens: body.input.length, total_tokens: body.input.length },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_MINE_INTERVAL_MS: '300',
      FLYWHEEL_MINE_EMBEDDINGS_MODEL: MODEL,
      FLYWHEEL_MINE_EMBEDDINGS_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      FLYWHEEL_KNOWLEDGE_POLL_MS: '60000',
    },
    logger: createLogger('warn', (line) => warnings.push(line)),
  });
});
after(async () => {
  await processor.stop();
  await new Promise((resolve) => server.close(resolve));
});

interface ClusterView { id: string; label: string; method: string; model: string | null; size: number; examples: string[] }

async function send(questions: readonly string[]): Promise<void> {
  const turns = questions.map((question) => contentTurn({ agent: AGENT, question, answer: 'Here is what I found.' }));
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turns.flatMap((t) => t.spans) as never[]))).status, 200);
}

const clusters = async () =>
  ((await (await fetch(`${processor.url}/api/clusters?agent=${AGENT}`)).json()) as { clusters: ClusterView[] }).clusters;

test('paraphrases that share no word join one embedding cluster per meaning', async () => {
  await send([...SIGN_IN, ...SIGN_IN, ...SIGN_IN, ...DELIVERY, ...DELIVERY, ...DELIVERY]);
  const found = await waitFor('two embedding clusters of 12', async () => {
    const list = await clusters();
    return list.length === 2 && list.every((c) => c.size === 12) ? list : undefined;
  }, 60_000);
  assert.deepEqual(found.map((c) => [c.method, c.model]), [['embedding', MODEL], ['embedding', MODEL]]);
  const labels = found.map((c) => c.label).join(' | ');
  assert.match(labels, /password|login|sign|access/);
  assert.match(labels, /parcel|package|shipment|deliver/);
  const asked = requests.flatMap((r) => r.input);
  assert.ok(requests.every((r) => r.model === MODEL));
  for (const q of [...SIGN_IN, ...DELIVERY]) assert.ok(asked.includes(q), `${q} was embedded`);
});

test('when the endpoint fails, new inputs are clustered by MinHash and mining goes on', async () => {
  failing = true;
  const before = requests.length;
  await send(['Where is my order A-7?', 'Where is my order A-8?', 'Where is my order A-9?']);
  const list = await waitFor('a MinHash cluster of the new inputs', async () => {
    const all = await clusters();
    return all.some((c) => c.method === 'minhash' && c.size === 3) ? all : undefined;
  }, 60_000);
  assert.ok(requests.length > before, 'the endpoint was asked');
  assert.deepEqual(list.filter((c) => c.method === 'embedding').map((c) => c.size), [12, 12]);
  assert.equal(list.find((c) => c.method === 'minhash')?.model, null);
  assert.match(warnings.join(''), /embeddings of 3 inputs of embeddings-agent \(text-embedding-3-small\) failed, clustered by MinHash instead/);
});
