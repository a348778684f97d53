// The three LangGraph runs of the framework e2e tests and the example (LangGraph 1.x with
// @langchain/openai's ChatOpenAI on Chat Completions): a ReAct agent with a tool, a plain model
// call, and a supervisor (@langchain/langgraph-supervisor) handing off to two sub-agents; and how
// the local OpenAI-compatible server answers them, from the tools offered and the messages so far.
import { tool } from '@langchain/core/tools';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { createSupervisor } from '@langchain/langgraph-supervisor';
import { z } from 'zod';
import { CHAT_USAGE, MODEL, RESPONSE_MODEL, chatCompletion } from '../instrumentation/test/openai-fixtures.ts';
import type { RecordedRequest, Reply } from '../instrumentation/test/openai-server.ts';

export { MODEL, RESPONSE_MODEL };
export const QUESTION = 'Where is order A-1001?';
export const SYSTEM = 'Answer in one sentence.';
export const PLAIN_ANSWER = 'Order A-1001 has shipped.';
export const TOOL_ANSWER = 'A-1001 shipped with DHL.';
export const ORDER_RESULT = { status: 'shipped', carrier: 'DHL' };
export const REFUND_RESULT = { refundable: true, days_left: 12 };
export const REFUND_ANSWER = 'A-1001 can be refunded for 12 more days.';
export const SUPERVISOR_ANSWER = 'A-1001 shipped with DHL and can be refunded for 12 more days.';
export const SUPERVISOR_QUESTION = 'Where is order A-1001 and can I still return it?';

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { function: { name: string } }[];
}

/** A Chat Completions answer asking for one tool call. */
export function toolCallReply(name: string, args: Record<string, unknown>, callId: string): Reply {
  return {
    json: {
      id: `chatcmpl-${callId}`,
      object: 'chat.completion',
      created: 1_777_000_000,
      model: RESPONSE_MODEL,
      choices: [{
        index: 0,
        message: {
          role: 'assistant', content: null, refusal: null,
          tool_calls: [{ id: callId, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      }],
      usage: CHAT_USAGE,
      service_tier: 'default',
      system_fingerprint: 'fp_test',
    },
  };
}

function toolNames(request: RecordedRequest): string[] {
  const tools = (request.body.tools ?? []) as { function?: { name?: string } }[];
  return tools.map((t) => t.function?.name ?? '');
}

/**
 * The supervisor hands off to order_agent, then to refund_agent (one `transfer_back_to_supervisor`
 * call after each), then answers; each sub-agent calls its tool once, then answers from its result.
 */
export function langgraphModel(request: RecordedRequest): Reply {
  const messages = (request.body.messages ?? []) as ChatMessage[];
  const offered = toolNames(request);
  const last = messages[messages.length - 1];
  const lastIsOwnToolResult = last?.role === 'tool' && !String(last.content).startsWith('Successfully transferred');
  if (offered.includes('transfer_to_order_agent')) {
    const back = messages.filter((m) => m.tool_calls?.some((c) => c.function.name === 'transfer_back_to_supervisor')).length;
    if (back === 0) return toolCallReply('transfer_to_order_agent', {}, 'call_h1');
    if (back === 1) return toolCallReply('transfer_to_refund_agent', {}, 'call_h2');
    return chatCompletion(SUPERVISOR_ANSWER, 'chatcmpl-supervisor');
  }
  if (offered.includes('lookup_order')) {
    return lastIsOwnToolResult ? chatCompletion(TOOL_ANSWER, 'chatcmpl-after-tool') : toolCallReply('lookup_order', { order_id: 'A-1001' }, 'call_1');
  }
  if (offered.includes('check_refund')) {
    return lastIsOwnToolResult ? chatCompletion(REFUND_ANSWER, 'chatcmpl-refund') : toolCallReply('check_refund', { order_id: 'A-1001' }, 'call_2');
  }
  return chatCompletion(PLAIN_ANSWER, 'chatcmpl-plain');
}

export function chatModel(baseURL: string): ChatOpenAI {
  return new ChatOpenAI({ model: MODEL, apiKey: 'sk-test', maxRetries: 0, configuration: { baseURL } });
}

export const lookupOrder = tool(async () => JSON.stringify(ORDER_RESULT), {
  name: 'lookup_order',
  description: 'Looks an order up by its id.',
  schema: z.object({ order_id: z.string() }),
});

export const checkRefund = tool(async () => JSON.stringify(REFUND_RESULT), {
  name: 'check_refund',
  description: 'Says whether an order can still be refunded.',
  schema: z.object({ order_id: z.string() }),
});

interface GraphResult {
  messages: { content: unknown }[];
}

function lastText(result: GraphResult): string {
  return String(result.messages[result.messages.length - 1]?.content ?? '');
}

/** A ReAct agent named `order_agent` with one tool: model, tool, model. Returns the final answer. */
export async function reactAgentRun(baseURL: string): Promise<string> {
  const agent = createReactAgent({ llm: chatModel(baseURL), tools: [lookupOrder], name: 'order_agent' });
  return lastText(await agent.invoke({ messages: [new HumanMessage(QUESTION)] }) as GraphResult);
}

/** One model call, no graph. */
export async function plainModelRun(baseURL: string): Promise<string> {
  const answer = await chatModel(baseURL).invoke([new SystemMessage(SYSTEM), new HumanMessage(QUESTION)]);
  return String(answer.content);
}

/** A supervisor graph named `supervisor` over order_agent and refund_agent. */
export async function supervisorRun(baseURL: string): Promise<string> {
  const llm = chatModel(baseURL);
  const orderAgent = createReactAgent({ llm, tools: [lookupOrder], name: 'order_agent' });
  const refundAgent = createReactAgent({ llm, tools: [checkRefund], name: 'refund_agent' });
  const graph = createSupervisor({
    agents: [orderAgent, refundAgent],
    llm,
    prompt: 'Hand order questions to order_agent and refund questions to refund_agent.',
    supervisorName: 'supervisor',
  }).compile({ name: 'supervisor' });
  return lastText(await graph.invoke({ messages: [new HumanMessage(SUPERVISOR_QUESTION)] }) as GraphResult);
}
