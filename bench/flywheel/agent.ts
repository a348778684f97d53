// The simulated shop's support agent: a deterministic variant of examples/support-agent. A
// keyword router sends order questions to the order specialist (which calls the order system's
// lookup tool) and everything else to the knowledge specialist (which puts the best matching
// items of its knowledge() cache into the prompt). It answers through the real `openai` client,
// instrumented by @agent-flywheel/instrumentation, and knows only what its knowledge and tools
// tell it. Mining's guidance is the one thing it acts on directly: a tool that guidance says
// fails gets a second try.
import { type KnowledgeClient, type KnowledgeItem, traceTool, withInteraction } from '@agent-flywheel/instrumentation';
import type OpenAI from 'openai';
import { CONTEXT_MODEL } from './context-model.ts';

/** The agent's name, unless a run names it otherwise. */
export const SIM_AGENT = 'shop-agent';
export const SIM_PROMPT_VERSION = 'shop-v1';
const SYSTEM = 'You are the support agent of an online shop. Answer in one sentence, only from what you are told below.';
/** Items put into the prompt from the documents, and as many from what was learnt. */
const ITEMS_PER_KIND = 2;
export const ORDER_TOOL = 'lookup_order';

/** The order system the agent's tool calls: throws when the backend fails. */
export type OrderLookup = (orderId: string, attempt: number) => Promise<{ orderId: string; status: string }>;

export interface AgentTurn {
  agent: string;
  question: string;
  userId: string;
  conversationId: string;
}

export interface AgentAnswer {
  text: string;
  interactionId: string;
  /** What the answer took, for the simulated response time. */
  modelCalls: number;
  promptChars: number;
  toolCalls: number;
  toolFailures: number;
  /** Knowledge sources named (item URIs and document URIs). */
  sources: string[];
}

/** The specialist a question goes to: orders when it speaks of an order and asks where or its status. */
export function route(question: string): 'orders' | 'knowledge' {
  return /\border\b/i.test(question) && /\b(where|status|shipped)\b/i.test(question) ? 'orders' : 'knowledge';
}

/**
 * The knowledge items for a question: the best matches from the documents and as many from
 * what was learnt from conversations (so that many learnt copies of one answer cannot crowd the
 * document out), newest first: of two items that answer alike, the newer is likelier current.
 */
export function knowledgeFor(question: string, learned: KnowledgeClient): KnowledgeItem[] {
  const found = learned.search(question, 20);
  const fromDocuments = found.filter((i) => i.source?.includes('://')).slice(0, ITEMS_PER_KIND);
  const fromConversations = found.filter((i) => !i.source?.includes('://')).slice(0, ITEMS_PER_KIND);
  return [...fromDocuments, ...fromConversations].sort((a, b) => b.committedAt.localeCompare(a.committedAt));
}

/** Whether mining's guidance says a tool fails, so it deserves a retry. */
function guidanceSaysFails(learned: KnowledgeClient, tool: string): boolean {
  return learned.guidance().avoid.some((line) => typeof line === 'string' && line.includes(`'${tool}' fails`));
}

/** Answers one question. */
export function answer(client: OpenAI, learned: KnowledgeClient, lookup: OrderLookup, turn: AgentTurn): Promise<AgentAnswer> {
  return withInteraction(
    { agent: turn.agent, userId: turn.userId, conversationId: turn.conversationId, promptVersion: SIM_PROMPT_VERSION, input: turn.question },
    async (interaction) => {
      const context: string[] = [];
      const sources: string[] = [];
      let toolCalls = 0;
      let toolFailures = 0;
      let grounded = false;
      if (route(turn.question) === 'orders') {
        interaction.setIntent('order_status');
        const orderId = /\b[A-Z]-\d{4}\b/.exec(turn.question)?.[0];
        if (orderId === undefined) context.push('No order number was given.');
        else {
          const attempts = guidanceSaysFails(learned, ORDER_TOOL) ? 2 : 1;
          let record: { orderId: string; status: string } | null = null;
          for (let attempt = 0; attempt < attempts && record === null; attempt++) {
            toolCalls++;
            try {
              record = await traceTool({ name: ORDER_TOOL, callId: `call_${attempt + 1}`, arguments: { order_id: orderId } }, () => lookup(orderId, attempt));
            } catch {
              toolFailures++;
            }
          }
          if (record === null) context.push('Order lookup failed.');
          else {
            grounded = true;
            context.push(`Order record: ${record.orderId} status ${record.status}`);
            sources.push(`orders://${record.orderId}`);
          }
        }
      } else {
        interaction.setIntent('shop_question');
        const items = knowledgeFor(turn.question, learned);
        if (items.length > 0) {
          grounded = true;
          context.push(`Known answers:\n${items.map((i) => `- ${i.content}`).join('\n')}`);
          for (const item of items) {
            sources.push(`knowledge://${item.id}`);
            if (item.source?.includes('://')) sources.push(item.source);
          }
        }
      }
      const unique = [...new Set(sources)];
      if (unique.length > 0) interaction.addKnowledgeSources(...unique);
      const system = [SYSTEM, ...context].join('\n\n');
      const completion = await client.chat.completions.create({
        model: CONTEXT_MODEL,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: turn.question },
        ],
      });
      const text = completion.choices[0]?.message.content ?? '';
      interaction.setConfidence(grounded ? 0.9 : 0.4);
      interaction.setOutput(text);
      return { text, interactionId: interaction.id, modelCalls: 1, promptChars: system.length, toolCalls, toolFailures, sources: unique };
    },
  );
}
