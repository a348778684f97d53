// Plain interactions for the score stage's unit tests: a turn with a question and an answer,
// any field overridden.
import type { Message } from '../src/normalize/interaction.ts';
import type { FeedbackFacts, ScoredInteraction, Turn } from '../src/score/quality.ts';

/** 2026-01-01T00:00:00Z in ms. */
export const T0 = 1_767_225_600_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export function user(text: string): Message[] {
  return [{ role: 'user', parts: [{ type: 'text', content: text }] }];
}

export function assistant(text: string, finishReason = 'stop'): Message[] {
  return [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: finishReason }];
}

export function turn(overrides: Partial<ScoredInteraction> & { atMs?: number } = {}): ScoredInteraction {
  const { atMs, ...rest } = overrides;
  return {
    id: 'a'.repeat(32) + '-' + '1'.repeat(16),
    sessionId: 'conv-1',
    startTimeUnixNano: BigInt(atMs ?? T0) * 1_000_000n,
    responseTimeMs: 2_000,
    userInput: user('Where is my order A-1001?'),
    response: assistant('Order A-1001 shipped with DHL and arrives on 2 May.'),
    finishReasons: ['stop'],
    tools: [],
    status: 'unset',
    errorType: null,
    knowledgeSources: [],
    expectedOutput: null,
    ...rest,
  };
}

export function nextTurn(question: string | null, atMs: number, id = 'b'.repeat(32) + '-' + '2'.repeat(16)): Turn {
  return { id, startTimeUnixNano: BigInt(atMs) * 1_000_000n, responseTimeMs: 1_000, userInput: question === null ? null : user(question) };
}

export function feedback(overrides: Partial<FeedbackFacts> = {}): FeedbackFacts {
  return { name: 'user_feedback', score: null, rating: null, thumbs: null, correction: null, ...overrides };
}

export function tool(name: string, error: string | null = null) {
  return { name, callId: null, spanId: '3'.repeat(16), durationMs: 10, error, arguments: null, result: null };
}
