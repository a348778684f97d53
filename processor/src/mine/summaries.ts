// AI-written summaries of patterns, when a judge model is configured: the pattern's segment and
// evidence, with a few of its example interactions (question and answer), go to the judge model
// through the same structured call the judge uses (score/judge.ts), and come back as a summary
// and a recommendation validated by zod. Pure: what to send and the schema of the answer.
import type OpenAI from 'openai';
import { z } from 'zod';

export const summarySchema = z
  .object({
    summary: z.string().min(1).max(1000).describe('What these interactions have in common and why they fail (or succeed), in one or two sentences'),
    recommendation: z.string().min(1).max(1000).describe('The one change to the agent most likely to fix the failure (or to keep the success), in one or two sentences'),
  })
  .strict();

export type PatternSummary = z.infer<typeof summarySchema>;

export interface SummaryInput {
  kind: 'failure' | 'success';
  label: string;
  n: number;
  rate: number;
  baseline: number;
  examples: readonly { question: string | null; answer: string | null }[];
}

/** Longest question or answer of an example sent. */
const MAX_CHARS = 1_000;

const INSTRUCTIONS = `You analyse a pattern found in the logged interactions of an AI agent. You are given the
segment (facts the interactions share), how often they fail or succeed against the agent's
baseline, and a few examples. Reply with JSON only: {"summary": string, "recommendation": string}.
The summary says what the interactions have in common and the likely cause; the recommendation
names one concrete change to the agent (its knowledge, tools, prompt or model).`;

const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;

export function summaryMessages(input: SummaryInput): OpenAI.Chat.ChatCompletionMessageParam[] {
  const rate = `${percent(input.rate)} of these interactions ${input.kind === 'failure' ? 'fail' : 'succeed'}, against ${percent(input.baseline)} over all of the agent's (n = ${input.n})`;
  const examples = input.examples
    .filter((e) => e.question !== null || e.answer !== null)
    .map((e, i) => `Example ${i + 1}:\nUser: ${(e.question ?? '(not captured)').slice(0, MAX_CHARS)}\nAgent: ${(e.answer ?? '(not captured)').slice(0, MAX_CHARS)}`);
  return [
    { role: 'system', content: INSTRUCTIONS },
    { role: 'user', content: [`A ${input.kind} pattern: ${input.label}`, rate, ...examples].join('\n\n') },
  ];
}
