// Hand-built OTLP/JSON export requests, for tests that need exact control over ids,
// ordering and batching (the exporters choose those themselves).
import { randomBytes } from 'node:crypto';

export const randomTraceId = () => randomBytes(16).toString('hex');
export const randomSpanId = () => randomBytes(8).toString('hex');

export interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes?: Record<string, string | number | boolean | string[]>;
  status?: { code: number; message?: string };
}

const BASE_MS = 1_767_225_600_000;

function anyValue(value: string | number | boolean | string[]): unknown {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

export function spanJson(s: JsonSpan) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId ?? '',
    name: s.name,
    kind: 1,
    startTimeUnixNano: (BigInt(BASE_MS + s.startMs) * 1_000_000n).toString(),
    endTimeUnixNano: (BigInt(BASE_MS + s.endMs) * 1_000_000n).toString(),
    attributes: Object.entries(s.attributes ?? {}).map(([key, value]) => ({ key, value: anyValue(value) })),
    status: s.status ?? {},
  };
}

export function tracesRequest(spans: ReturnType<typeof spanJson>[], serviceName = 'support-agent') {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [{ scope: { name: 'test-builder', version: '1.0.0' }, spans }],
      },
    ],
  };
}

/** An agent turn: invoke_agent with two chat calls and a tool call, ids fresh each time. */
export function agentTurn(options: { agent?: string; session?: string; user?: string; offsetMs?: number } = {}) {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const o = options.offsetMs ?? 0;
  const root = spanJson({
    traceId,
    spanId: rootId,
    name: `invoke_agent ${options.agent ?? 'support-agent'}`,
    startMs: o,
    endMs: o + 1000,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': options.agent ?? 'support-agent',
      ...(options.session ? { 'gen_ai.conversation.id': options.session } : {}),
      ...(options.user ? { 'user.id': options.user } : {}),
    },
  });
  const chat = (startMs: number, input: number, output: number) =>
    spanJson({
      traceId,
      spanId: randomSpanId(),
      parentSpanId: rootId,
      name: 'chat gpt-4o-mini',
      startMs: o + startMs,
      endMs: o + startMs + 200,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': output,
        'gen_ai.response.finish_reasons': ['stop'],
      },
    });
  const tool = spanJson({
    traceId,
    spanId: randomSpanId(),
    parentSpanId: rootId,
    name: 'execute_tool lookup_order',
    startMs: o + 300,
    endMs: o + 400,
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.id': 'call_1' },
  });
  return { traceId, rootId, id: `${traceId}-${rootId}`, root, children: [chat(10, 100, 10), tool, chat(500, 200, 20)] };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? safeJson(text) : undefined };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
