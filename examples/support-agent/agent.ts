// A small order-support agent: the real `openai` client, two tools, and the calls that tell
// the flywheel what only the agent knows. The model calls are traced by the instrumentation on
// its own; withInteraction() marks the turn, traceTool() each tool execution. Given the flywheel's
// knowledge() client, it puts what was learnt about the question (and mining's guidance) into
// the prompt and names the items it used as knowledge sources, which closes the loop.
import { type KnowledgeClient, traceTool, withInteraction } from '@agent-flywheel/instrumentation';
import type OpenAI from 'openai';
import { TOOL_DEFINITIONS, runTool } from './tools.ts';

export const AGENT_NAME = 'support-agent';
export const PROMPT_VERSION = 'support-v3';
const SYSTEM_PROMPT =
  'You are the order-support agent of an online shop. Use the tools to look up orders and ' +
  'help-center articles. Answer in one or two sentences.';
const MAX_STEPS = 4;
/** Learnt items put into the prompt, at most. */
const KNOWLEDGE_ITEMS = 3;

export interface Turn {
  question: string;
  userId?: string;
  conversationId?: string;
}

export interface Answer {
  text: string;
  /** The processor's id of this interaction, for feedback given later. */
  interactionId: string;
}

/**
 * The system prompt: the instructions, then what the flywheel learnt that matches the question
 * (committed knowledge items, best first) and what mining says to avoid, when a knowledge client
 * is given. Returns the items used.
 */
export function systemPrompt(question: string, learned?: KnowledgeClient): { prompt: string; used: { id: string; content: string }[] } {
  if (learned === undefined) return { prompt: SYSTEM_PROMPT, used: [] };
  const used = learned.search(question, KNOWLEDGE_ITEMS).map((item) => ({ id: String(item.id), content: item.content }));
  const avoid = learned.guidance().avoid.filter((line): line is string => typeof line === 'string').slice(0, 3);
  const parts = [SYSTEM_PROMPT];
  if (used.length > 0) parts.push(`Known answers, learnt from earlier conversations (prefer them to guessing):\n${used.map((u) => `- ${u.content}`).join('\n')}`);
  if (avoid.length > 0) parts.push(`Known problems to avoid:\n${avoid.map((line) => `- ${line}`).join('\n')}`);
  return { prompt: parts.join('\n\n'), used };
}

/** Answers one question: model, tools, model again, until the model stops calling tools. */
export function answer(client: OpenAI, model: string, turn: Turn, learned?: KnowledgeClient): Promise<Answer> {
  return withInteraction(
    {
      agent: AGENT_NAME,
      userId: turn.userId,
      conversationId: turn.conversationId,
      promptVersion: PROMPT_VERSION,
      input: turn.question,
    },
    async (interaction) => {
      const system = systemPrompt(turn.question, learned);
      // The items the answer may rely on, as `knowledge://<id>`: their age feeds the timeliness score.
      if (system.used.length > 0) interaction.addKnowledgeSources(...system.used.map((u) => `knowledge://${u.id}`));
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        { role: 'system', content: system.prompt },
        { role: 'user', content: turn.question },
      ];
      const toolsUsed = new Set<string>();
      let grounded = system.used.length > 0;
      for (let step = 0; step < MAX_STEPS; step++) {
        const completion = await client.chat.completions.create({ model, messages, tools: TOOL_DEFINITIONS });
        const message = completion.choices[0]?.message;
        if (!message) throw new Error('the model returned no choice');
        messages.push(message);
        const calls = (message.tool_calls ?? []).filter((c) => c.type === 'function');
        if (calls.length === 0) {
          const text = message.content ?? '';
          // What the agent knows at the end: which kind of question it was, and how sure it is.
          interaction.setIntent(toolsUsed.has('lookup_order') ? 'order_status' : toolsUsed.size > 0 ? 'policy_question' : 'other');
          interaction.setConfidence(grounded ? 0.9 : 0.4);
          interaction.setOutput(text);
          return { text, interactionId: interaction.id };
        }
        for (const call of calls) {
          const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
          const result = await traceTool({ name: call.function.name, callId: call.id, arguments: args }, () =>
            runTool(call.function.name, args),
          );
          toolsUsed.add(call.function.name);
          if (result.source) {
            grounded = true;
            interaction.addKnowledgeSources(result.source);
          }
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result.content) });
        }
      }
      throw new Error(`no answer after ${MAX_STEPS} steps`);
    },
  );
}
