// An order-support agent built as a LangGraph graph (createReactAgent with one tool), traced by
// OpenInference's LangChain instrumentation, and the calls of @agent-flywheel/instrumentation
// that tell the flywheel what only the app knows: withInteraction() around the turn,
// traceTool() around the help-center search the app runs itself, and knowledge() items put into
// the prompt. The graph, its model calls and its tool calls are traced by OpenInference; both
// reach the processor through the one tracer provider register() set up.
import { type KnowledgeClient, traceTool, withInteraction } from '@agent-flywheel/instrumentation';
import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { lookupOrder, searchArticles } from './tools.ts';

/** The graph's name, and so the interaction's agent. */
export const AGENT_NAME = 'order-graph';
const INSTRUCTIONS = 'You are the order-support agent of an online shop. Use the tools. Answer in one or two sentences.';

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

/** The chat model: any OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL). */
export function chatModel(): ChatOpenAI {
  return new ChatOpenAI({
    model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini',
    apiKey: process.env.OPENAI_API_KEY ?? 'not-needed-locally',
    maxRetries: 0,
    configuration: { baseURL: process.env.OPENAI_BASE_URL },
  });
}

/** Answers one question with the graph; the interaction is the one withInteraction() marks. */
export function answer(turn: Turn, learned?: KnowledgeClient): Promise<Answer> {
  return withInteraction(
    { agent: AGENT_NAME, userId: turn.userId, conversationId: turn.conversationId, input: turn.question },
    async (interaction) => {
      const articles = traceTool({ name: 'search_help_center', arguments: { query: turn.question } }, () => searchArticles(turn.question));
      const items = learned?.search(turn.question, 3) ?? [];
      if (items.length > 0) interaction.addKnowledgeSources(...items.map((k) => `knowledge://${k.id}`));
      const context = [...articles.map((a) => a.text), ...items.map((k) => k.content)];
      const prompt = context.length > 0 ? `${INSTRUCTIONS}\n\nWhat we know:\n${context.map((c) => `- ${c}`).join('\n')}` : INSTRUCTIONS;
      const graph = createReactAgent({ llm: chatModel(), tools: [lookupOrder], name: AGENT_NAME, prompt });
      const state = await graph.invoke({ messages: [new HumanMessage(turn.question)] });
      const last = state.messages[state.messages.length - 1];
      const text = typeof last?.content === 'string' ? last.content : '';
      interaction.setIntent('order_status');
      interaction.setConfidence(articles.length > 0 || items.length > 0 ? 0.9 : 0.6);
      interaction.setOutput(text);
      return { text, interactionId: interaction.id };
    },
  );
}
