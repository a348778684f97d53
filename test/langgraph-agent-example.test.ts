// End to end: the LangGraph example (examples/langgraph-agent) run as a user would, in a child
// process against the local OpenAI-compatible server and the real processor: zero-code
// (`--import .../register` with FLYWHEEL_INSTRUMENTATIONS naming OpenInference's LangChain
// instrumentation) and programmatic (register({ instrumentations })). OpenInference's spans and
// this package's (withInteraction, traceTool, recordFeedback, knowledge()) share one tracer
// provider and so one trace; the stored interaction is asserted field by field.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { RESPONSE_MODEL, chatCompletion } from '../instrumentation/test/openai-fixtures.ts';
import { type OpenAIServer, type RecordedRequest, type Reply, startOpenAIServer } from '../instrumentation/test/openai-server.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { toolCallReply } from './langgraph-scenarios.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLE = (file: string) => fileURLToPath(new URL(`../examples/langgraph-agent/${file}`, import.meta.url));
const QUESTION = 'Where is my order A-1001? What about shipping?';
const ANSWER = 'Order A-1001 shipped with DHL and arrives on 2 May.';
const LEARNT = 'Shipping to the islands takes one day longer.';

/** The graph's model: lookup_order first, the answer once the tool replied. */
function exampleModel(request: RecordedRequest): Reply {
  const messages = request.body.messages as { role: string }[];
  if (messages.at(-1)?.role !== 'tool') return toolCallReply('lookup_order', { order_id: 'A-1001' }, 'call_1');
  return chatCompletion(ANSWER, 'chatcmpl-answer');
}

let processor: TestProcessor;
let model: OpenAIServer;
let itemId: string;

before(async () => {
  processor = await startProcessor();
  model = await startOpenAIServer(exampleModel);
  // One committed knowledge item for the agent, as the knowledge stage leaves it.
  const [project] = await processor.query<{ id: number }>('SELECT id FROM projects ORDER BY id LIMIT 1');
  const [item] = await processor.query<{ id: string }>(
    `INSERT INTO knowledge_items (project_id, agent, key, content, confidence, status, origin, supporters, interaction_ids, feedback_ids, committed_at)
     VALUES ($1, 'order-graph', 'dhl tracking shipped', $2, 0.9, 'committed', 'correction', '{}', '{}', '{}', now()) RETURNING id::text`,
    [project!.id, LEARNT],
  );
  itemId = item!.id;
});

after(async () => {
  await model.close();
  await processor.stop();
});

function runNode(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('FLYWHEEL_') && k !== 'NODE_OPTIONS'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { ...base, OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'sk-test', FLYWHEEL_URL: processor.url, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The one interaction of a service, its trace's feedback score, and what the model was sent. */
async function stored(service: string): Promise<{ row: Record<string, unknown>; score: unknown }> {
  const rows = await processor.query('SELECT * FROM interactions WHERE service_name = $1', [service]);
  assert.equal(rows.length, 1, `one interaction of ${service}`);
  const row = rows[0]!;
  const [feedback] = await processor.query('SELECT attributes FROM log_records WHERE trace_id = $1', [row.trace_id]);
  return { row, score: (feedback?.attributes as Record<string, unknown> | undefined)?.['gen_ai.evaluation.score.value'] };
}

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

function assertInteraction(row: Record<string, unknown>, service: string): void {
  const tools = (row.tools as Record<string, unknown>[]).map(({ spanId: _s, durationMs: _d, ...t }) => t);
  const fields = {
    operation: row.operation, name: row.name, agent_name: row.agent_name, user_id: row.user_id, service_name: row.service_name,
    user_input: row.user_input, response: row.response, request_model: row.request_model, response_model: row.response_model,
    provider: row.provider, input_tokens: row.input_tokens, output_tokens: row.output_tokens, status: row.status,
    intent: row.intent, confidence: row.confidence, knowledge_sources: row.knowledge_sources, sub_agents: row.sub_agents,
    conventions: row.conventions,
  };
  assert.deepEqual(fields, {
    // withInteraction()'s span, over the graph's (same name: the graph is this agent, not a hand-off).
    operation: 'invoke_agent',
    name: 'invoke_agent order-graph',
    agent_name: 'order-graph',
    user_id: 'u-7',
    service_name: service,
    user_input: [text('user', QUESTION)],
    response: [{ ...text('assistant', ANSWER), finish_reason: 'stop' }],
    request_model: 'gpt-4o-mini',
    response_model: RESPONSE_MODEL,
    provider: 'openai',
    // Two model calls of 42 in / 9 out: OpenInference's LLM span and the openai call beneath it count once.
    input_tokens: '84',
    output_tokens: '18',
    // withInteraction() leaves a successful turn's status unset.
    status: 'unset',
    intent: 'order_status',
    confidence: 0.9,
    knowledge_sources: [`knowledge://${itemId}`],
    sub_agents: [],
    conventions: ['openinference', 'genai-semconv'],
  });
  assert.deepEqual(tools, [
    {
      name: 'search_help_center', callId: null, error: null,
      arguments: { query: QUESTION }, result: [{ id: 'kb-shipping', text: 'Standard shipping takes 2 to 4 working days.' }],
    },
    { name: 'lookup_order', callId: 'call_1', error: null, arguments: 'A-1001', result: { status: 'shipped', carrier: 'DHL', eta: '2 May' } },
  ]);
}

test('zero-code: FLYWHEEL_INSTRUMENTATIONS enables OpenInference\'s LangChain instrumentation on the one pipeline', async () => {
  const requests = model.requests.length;
  const run = await runNode(['--import', '@agent-flywheel/instrumentation/register', EXAMPLE('main.ts'), '--user', 'u-7', '--rating', '5', QUESTION], {
    OTEL_SERVICE_NAME: 'langgraph-zero-code',
    OTEL_EXPORTER_OTLP_ENDPOINT: processor.url,
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    FLYWHEEL_INSTRUMENTATIONS: '@arizeai/openinference-instrumentation-langchain',
  });
  assert.deepEqual(run, { code: 0, stdout: `${ANSWER}\n`, stderr: '' });
  // knowledge() fed the prompt: the committed item and the help-center article reached the model.
  const system = (model.requests[requests]?.body.messages as { role: string; content: string }[])[0]!;
  assert.equal(system.role, 'system');
  assert.match(system.content, new RegExp(`${LEARNT.replace(/\./g, '\\.')}`));
  const { row, score } = await stored('langgraph-zero-code');
  assertInteraction(row, 'langgraph-zero-code');
  assert.equal(score, 1);
});

test('programmatic: register({ instrumentations: [new LangChainInstrumentation()] }), exporting OTLP/JSON', async () => {
  const run = await runNode([EXAMPLE('programmatic.ts'), '--user', 'u-7', '--rating', '1', QUESTION], {
    OTEL_EXPORTER_OTLP_ENDPOINT: processor.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  });
  assert.deepEqual(run, { code: 0, stdout: `${ANSWER}\n`, stderr: '' });
  // programmatic.ts names its service.
  const { row, score } = await stored('langgraph-agent');
  assertInteraction(row, 'langgraph-agent');
  assert.equal(score, 0);
});

test('zero-code: a package that cannot be loaded is named on stderr; the app runs and is still traced', async () => {
  const run = await runNode(['--import', '@agent-flywheel/instrumentation/register', EXAMPLE('main.ts'), '--user', 'u-7', QUESTION], {
    OTEL_SERVICE_NAME: 'langgraph-missing-package',
    OTEL_EXPORTER_OTLP_ENDPOINT: processor.url,
    FLYWHEEL_INSTRUMENTATIONS: '@example/not-installed-instrumentation',
  });
  assert.equal(run.code, 0);
  assert.equal(run.stdout, `${ANSWER}\n`);
  assert.match(run.stderr, /FLYWHEEL_INSTRUMENTATIONS: @example\/not-installed-instrumentation not enabled: .*Cannot find package/);
  const rows = await processor.query('SELECT agent_name, conventions FROM interactions WHERE service_name = $1', ['langgraph-missing-package']);
  assert.deepEqual(rows, [{ agent_name: 'order-graph', conventions: ['genai-semconv'] }]);
});
