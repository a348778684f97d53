// The two OpenAI Agents SDK runs of the framework e2e tests (@openai/agents 0.20.0, on its default
// model: the Responses API): a tool agent, and a triage agent handing off to a second agent; how
// the local OpenAI-compatible server answers them (/v1/responses, from the tools offered and the
// items so far); and the OpenInference instrumentation of the SDK.
import * as agents from '@openai/agents';
import { OpenAIAgentsInstrumentation } from '@arizeai/openinference-instrumentation-openai-agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { RESPONSE_MODEL, responseObject } from '../../instrumentation/test/openai-fixtures.ts';
import type { RecordedRequest, Reply } from '../../instrumentation/test/openai-server.ts';

export const AGENTS_MODEL = 'gpt-4.1-mini';
export { RESPONSE_MODEL };
export const QUESTION = 'Where is order A-1001?';
export const TOOL_ANSWER = 'A-1001 shipped with DHL.';
export const ORDER_RESULT = { status: 'shipped', carrier: 'DHL' };
export const HANDOFF_QUESTION = 'I want to return order A-1001.';
export const REFUND_ANSWER = 'A-1001 can be refunded for 12 more days.';

/** Registers the OpenInference trace processor with the SDK, exporting through the global tracer provider. */
export function instrumentAgents(): OpenAIAgentsInstrumentation {
  const instrumentation = new OpenAIAgentsInstrumentation();
  instrumentation.manuallyInstrument(agents);
  return instrumentation;
}

/** A dynamic import resolved from this package, where the app's packages are installed. */
export const importFromApp = (specifier: string): Promise<Record<string, unknown>> => import(specifier) as Promise<Record<string, unknown>>;

interface InputItem {
  type?: string;
  role?: string;
  name?: string;
}

function functionCall(name: string, args: Record<string, unknown>, callId: string): Reply {
  const response = responseObject('');
  response.id = `resp_${callId}`;
  response.output = [{ type: 'function_call', id: `fc_${callId}`, call_id: callId, name, arguments: JSON.stringify(args), status: 'completed' }];
  return { json: response };
}

function answer(text: string, id: string): Reply {
  const response = responseObject(text);
  response.id = id;
  return { json: response };
}

/**
 * The tool agent calls lookup_order once, then answers from its result; the triage agent hands
 * off to refund_agent (`transfer_to_refund_agent`), which answers.
 */
export function agentsModel(request: RecordedRequest): Reply {
  const tools = ((request.body.tools ?? []) as { name?: string }[]).map((t) => t.name);
  const input = (Array.isArray(request.body.input) ? request.body.input : []) as InputItem[];
  const outputs = input.filter((i) => i.type === 'function_call_output').length;
  if (tools.includes('transfer_to_refund_agent')) return functionCall('transfer_to_refund_agent', {}, 'call_h1');
  if (tools.includes('lookup_order')) return outputs === 0 ? functionCall('lookup_order', { order_id: 'A-1001' }, 'call_1') : answer(TOOL_ANSWER, 'resp_after_tool');
  return answer(REFUND_ANSWER, 'resp_refund');
}

/** Points the SDK's default OpenAI client at the local server (the SDK's default API, Responses, stays). */
export function useModelServer(baseURL: string): void {
  agents.setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0 }) as never);
}

const lookupOrder = agents.tool({
  name: 'lookup_order',
  description: 'Looks an order up by its id.',
  parameters: z.object({ order_id: z.string() }),
  execute: async () => JSON.stringify(ORDER_RESULT),
});

/** An agent named order_agent with one tool: model, tool, model. Returns the final output. */
export async function toolAgentRun(): Promise<string> {
  const agent = new agents.Agent({ name: 'order_agent', instructions: 'Answer in one sentence.', model: AGENTS_MODEL, tools: [lookupOrder] });
  const result = await agents.run(agent, QUESTION);
  return String(result.finalOutput);
}

/** triage_agent hands off to refund_agent, which answers. */
export async function handoffRun(): Promise<string> {
  const refund = new agents.Agent({ name: 'refund_agent', instructions: 'Handle refunds.', model: AGENTS_MODEL });
  const triage = new agents.Agent({ name: 'triage_agent', instructions: 'Route the customer.', model: AGENTS_MODEL, handoffs: [refund] });
  const result = await agents.run(triage, HANDOFF_QUESTION);
  return String(result.finalOutput);
}
