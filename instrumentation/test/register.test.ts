// Starting the instrumentation: register() in this process, and the zero-code
// `--import @agent-flywheel/instrumentation/register` in child processes running unchanged
// ESM and CommonJS apps, all exporting through the real OTLP exporters to a local receiver.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { recordFeedback, register, withInteraction } from '../src/index.ts';
import { MODEL, chatCompletion, chatStreamEvents } from './openai-fixtures.ts';
import { type OpenAIServer, startOpenAIServer } from './openai-server.ts';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

let openai: OpenAIServer;
let receiver: OtlpReceiver;

before(async () => {
  openai = await startOpenAIServer((request) =>
    request.body.stream ? { sse: chatStreamEvents(['Your invoice ', 'is attached.'], false) } : chatCompletion('It has shipped.'),
  );
  receiver = await startOtlpReceiver();
});

after(async () => {
  await openai.close();
  await receiver.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs node with a clean environment (no OTEL_* from the test runner) plus `env`. */
function runNode(args: string[], env: Record<string, string>): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && k !== 'NODE_OPTIONS'));
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { ...base, OPENAI_BASE_URL: openai.baseURL, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

const ZERO_CODE = ['--import', '@agent-flywheel/instrumentation/register'];
const APP_OUTPUT = `${JSON.stringify({ answer: 'It has shipped.', streamed: 'Your invoice is attached.' })}\n`;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('register() exports spans and feedback over OTLP/HTTP to its endpoint, with its headers; shutdown() flushes', async () => {
  const flywheel = register({
    serviceName: 'support-agent',
    endpoint: receiver.url,
    headers: { 'x-api-key': 'key-1' },
    protocol: 'http/json',
    captureContent: true,
  });
  assert.equal(register(), flywheel, 'a second register() keeps the first');
  // Loaded after register(), as an app would: require-in-the-middle patches it.
  const { OpenAI: Client } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAI };
  const client = new Client({ apiKey: 'sk-test', baseURL: openai.baseURL, maxRetries: 0 });
  const id = await withInteraction({ agent: 'support', intent: 'order_status', input: 'Where is A-1?' }, async (interaction) => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Where is A-1?' }] });
    return interaction.id;
  });
  recordFeedback({ interaction: id, rating: 5 });
  await flywheel.shutdown();

  const spans = receiver.spans();
  const agent = spans.find((s) => s.name === 'invoke_agent support');
  const chat = spans.find((s) => s.name === `chat ${MODEL}`);
  assert.ok(agent && chat, `got ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(`${agent.traceId}-${agent.spanId}`, id);
  assert.equal(chat.parentSpanId, agent.spanId);
  assert.equal(agent.resource['service.name'], 'support-agent');
  assert.equal(agent.attributes['flywheel.intent'], 'order_status');
  assert.equal(chat.scope, '@agent-flywheel/instrumentation');
  assert.equal(typeof chat.attributes['gen_ai.input.messages'], 'string', 'capture on');
  const [feedback] = receiver.logs();
  assert.equal(feedback?.eventName, 'gen_ai.evaluation.result');
  assert.equal(`${feedback?.traceId}-${feedback?.spanId}`, id);
  assert.equal(feedback?.attributes['gen_ai.evaluation.score.value'], 1);
  const exports = receiver.requests.filter((r) => r.path === '/v1/traces' || r.path === '/v1/logs');
  assert.ok(exports.length >= 2);
  for (const request of exports) assert.equal(request.headers['x-api-key'], 'key-1');
  assert.deepEqual(await flywheel.dropped(), { spans: 0, logs: 0 });
});

for (const app of ['unchanged-app.mjs', 'unchanged-app.cjs']) {
  test(`zero-code: --import register instruments an unchanged ${app.endsWith('.mjs') ? 'ESM' : 'CommonJS'} app, configured by OTEL_* env vars`, async () => {
    const before = receiver.requests.length;
    const run = await runNode([...ZERO_CODE, fixture(app)], {
      OTEL_SERVICE_NAME: `zero-code-${app}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'SPAN_ONLY',
    });
    assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 0, stdout: APP_OUTPUT, stderr: '' });
    const spans = receiver.spans().filter((s) => s.resource['service.name'] === `zero-code-${app}`);
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes['gen_ai.request.stream'] ?? false]),
      [
        [`chat ${MODEL}`, false],
        [`chat ${MODEL}`, true],
      ],
    );
    assert.equal(
      spans[1]?.attributes['gen_ai.output.messages'],
      JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Your invoice is attached.' }], finish_reason: 'stop' }]),
    );
    assert.ok(receiver.requests.length > before);
  });
}

test('programmatic: register() then a dynamic import() of an ESM app instruments its openai calls', async () => {
  const run = await runNode([fixture('programmatic-app.mjs')], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 0, stdout: APP_OUTPUT, stderr: '' });
  const spans = receiver.spans().filter((s) => s.resource['service.name'] === 'programmatic-esm');
  assert.deepEqual(
    spans.map((s) => s.name),
    [`chat ${MODEL}`, `chat ${MODEL}`],
  );
  assert.equal(typeof spans[0]?.attributes['gen_ai.input.messages'], 'string', 'captureContent: true');
});

test('zero-code with no protocol set exports OTLP protobuf, the default', async () => {
  const before = receiver.requests.length;
  const run = await runNode([...ZERO_CODE, fixture('unchanged-app.mjs')], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  assert.equal(run.code, 0);
  const traces = receiver.requests.slice(before).filter((r) => r.path === '/v1/traces');
  assert.ok(traces.length > 0);
  for (const request of traces) assert.equal(request.headers['content-type'], 'application/x-protobuf');
});

test('with the processor down the app runs unchanged: same output, same exit code, nothing on stderr', async () => {
  const port = await closedPort();
  const plain = await runNode([fixture('unchanged-app.mjs')], {});
  const instrumented = await runNode([...ZERO_CODE, fixture('unchanged-app.mjs')], {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
  });
  assert.deepEqual(
    { code: instrumented.code, stdout: instrumented.stdout, stderr: instrumented.stderr },
    { code: plain.code, stdout: plain.stdout, stderr: plain.stderr },
  );
  assert.equal(plain.stdout, APP_OUTPUT);
});

test('spans and feedback lost to a full queue or a dead receiver are counted by dropped()', async () => {
  const port = await closedPort();
  const run = await runNode([fixture('dropped-spans.ts')], {
    DOWN_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
  });
  assert.equal(run.stderr, '');
  assert.deepEqual(JSON.parse(run.stdout), { results: [0, 1, 2, 3, 4], dropped: { spans: 5, logs: 1 } });
});

test('with OTEL_SDK_DISABLED=true nothing is patched or exported, and the app runs unchanged', async () => {
  const before = receiver.requests.length;
  const run = await runNode([...ZERO_CODE, fixture('unchanged-app.mjs')], {
    OTEL_SDK_DISABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  });
  assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 0, stdout: APP_OUTPUT, stderr: '' });
  assert.equal(receiver.requests.length, before);
});

test('a bad configuration leaves the app running uninstrumented, with one line on stderr saying why', async () => {
  const run = await runNode([...ZERO_CODE, fixture('unchanged-app.cjs')], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  assert.equal(run.code, 0);
  assert.equal(run.stdout, APP_OUTPUT);
  assert.equal(
    run.stderr,
    "@agent-flywheel/instrumentation: not instrumented: OTEL_EXPORTER_OTLP_PROTOCOL must be 'http/protobuf' or 'http/json' (the processor speaks OTLP/HTTP, not grpc), got 'grpc'\n",
  );
});
