// A small order-support agent: the real `openai` client, two tools, and the calls that tell
// the flywheel what only the agent knows. The model calls are traced by the instrumentation on
// its own; withInteraction() marks the turn, traceTool() each tool execution.
import { traceTool, withInteraction } from '@agent-flywheel/instrumentation';
import type OpenAI from 'openai';
import { TOOL_DEFINITIONS, runTool } from './tools.ts';

export const AGENT_NAME = 'support-agent';
export const PROMPT_VERSION = 'support-v3';
const SYSTEM_PROMPT =
  'You are the order-support agent of an online shop. Use the tools to look up orders and ' +
  'help-center articles. Answer in one or two sentences.';
const MAX_STEPS = 4;

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

/** Answers one question: model, tools, model again, until the model stops calling tools. */
export function answer(client: OpenAI, model: string, turn: Turn): Promise<Answer> {
  return withInteraction(
    {
      agent: AGENT_NAME,
      userId: turn.userId,
      conversationId: turn.conversationId,
      promptVersion: PROMPT_VERSION,
      input: turn.question,
    },
    async (interaction) => {
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: turn.question },
      ];
      const toolsUsed = new Set<string>();
      let grounded = false;
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
