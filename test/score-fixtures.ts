// Traces and feedback records for the score stage's end-to-end tests: agent turns with captured
// question and answer (or without), in a conversation, at a chosen time; gen_ai.evaluation.result
// log records as @agent-flywheel/instrumentation sends them; and a poll for the database.
import { randomSpanId, randomTraceId, spanJson } from './otlp-json-builder.ts';

/** The JSON builder's epoch (2026-01-01T00:00:00Z); offsets are from it. */
export const BASE_MS = 1_767_225_600_000;

/** An offset that puts a span `agoMs` before now: recent enough to be timely. */
export const msAgo = (agoMs: number) => Date.now() - BASE_MS - agoMs;

export interface TurnOptions {
  question?: string | null;
  answer?: string | null;
  session?: string;
  agent?: string;
  offsetMs?: number;
  finishReason?: string;
  toolError?: string;
  expected?: string;
}

const messages = (role: string, text: string, finishReason?: string) =>
  JSON.stringify([{ role, parts: [{ type: 'text', content: text }], ...(finishReason ? { finish_reason: finishReason } : {}) }]);

/** An invoke_agent turn with one chat call and one tool call; content unless question/answer are null. */
export function contentTurn(o: TurnOptions = {}) {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const at = o.offsetMs ?? msAgo(60_000);
  const question = o.question === undefined ? 'Where is my order A-1001?' : o.question;
  const answer = o.answer === undefined ? 'Order A-1001 shipped with DHL and arrives on 2 May.' : o.answer;
  const root = spanJson({
    traceId,
    spanId: rootId,
    name: 'invoke_agent support-agent',
    startMs: at,
    endMs: at + 1500,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': o.agent ?? 'support-agent',
      ...(o.session ? { 'gen_ai.conversation.id': o.session } : {}),
      ...(question !== null ? { 'gen_ai.input.messages': messages('user', question) } : {}),
      ...(answer !== null ? { 'gen_ai.output.messages': messages('assistant', answer, o.finishReason ?? 'stop') } : {}),
      ...(o.expected ? { 'flywheel.expected_output': o.expected } : {}),
    },
  });
  const chat = spanJson({
    traceId,
    spanId: randomSpanId(),
    parentSpanId: rootId,
    name: 'chat gpt-4o-mini',
    startMs: at + 10,
    endMs: at + 900,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.finish_reasons': [o.finishReason ?? 'stop'],
    },
  });
  const tool = spanJson({
    traceId,
    spanId: randomSpanId(),
    parentSpanId: rootId,
    name: 'execute_tool lookup_order',
    startMs: at + 950,
    endMs: at + 1400,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_order',
      ...(o.toolError ? { 'error.type': o.toolError } : {}),
    },
    ...(o.toolError ? { status: { code: 2, message: 'order service timed out' } } : {}),
  });
  return { traceId, rootId, id: `${traceId}-${rootId}`, spans: [root, chat, tool] };
}

type Attr = string | number;

/** An OTLP/JSON logs request with one gen_ai.evaluation.result record on (traceId, spanId). */
export function evaluationLogs(traceId: string, spanId: string, attributes: Record<string, Attr>) {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-agent' } }] },
        scopeLogs: [
          {
            scope: { name: '@agent-flywheel/instrumentation' },
            logRecords: [
              {
                timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`,
                eventName: 'gen_ai.evaluation.result',
                severityNumber: 9,
                traceId,
                spanId,
                attributes: Object.entries(attributes).map(([key, value]) => ({
                  key,
                  value: typeof value === 'string' ? { stringValue: value } : Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value },
                })),
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
