// The optional LLM judge: any OpenAI-compatible chat completions endpoint, asked through the
// `openai` client for a structured verdict (json_schema response format) that is validated with
// zod before it is believed. Each call has a timeout; a failed, slow or malformed answer is
// retried with exponential backoff and jitter; tokens and cost are counted over every attempt.
import { createHash } from 'node:crypto';
import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { Message, ToolCall } from '../normalize/interaction.ts';
import type { ScoreConfig } from './config.ts';
import type { Verdict } from './quality.ts';
import { answerText, lastUserText } from './text.ts';

export const verdictSchema = z
  .object({
    accuracy: z.number().min(0).max(1).describe('Is the answer factually right (against the reference when given)?'),
    completeness: z.number().min(0).max(1).describe('Does it address every part of the question?'),
    relevance: z.number().min(0).max(1).describe('Does it answer the question that was asked?'),
    rationale: z.string().max(2000).describe('One or two sentences on why'),
  })
  .strict();

/** What the judge is shown: the question, the answer, the tools used and the reference. */
export interface JudgeContent {
  question: string;
  answer: string;
  reference: string | null;
  tools: { name: string; failed: boolean }[];
}

/** Longest text of each kind sent to the judge. */
const MAX_CHARS = 8_000;

/** The content to judge, or null when the interaction has no captured question and answer. */
export function judgeContentOf(interaction: {
  userInput: Message[] | null;
  response: Message[] | null;
  expectedOutput: string | null;
  tools: readonly ToolCall[];
}): JudgeContent | null {
  const question = lastUserText(interaction.userInput);
  const answer = answerText(interaction.response);
  if (question === null || answer === null || answer.trim() === '') return null;
  return {
    question: question.slice(0, MAX_CHARS),
    answer: answer.slice(0, MAX_CHARS),
    reference: interaction.expectedOutput?.slice(0, MAX_CHARS) ?? null,
    tools: interaction.tools.map((t) => ({ name: t.name, failed: t.error !== null })),
  };
}

/** Identity of judged content: a verdict is reused until this changes. */
export function contentHash(content: JudgeContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

const INSTRUCTIONS = `You grade one answer of an AI assistant. Score each dimension from 0 (worst) to 1 (best):
accuracy: is the answer factually right? When a reference answer is given, judge agreement with it.
completeness: does the answer address every part of the question, without being cut off?
relevance: does the answer address the question that was asked, rather than something else?
Reply with JSON only: {"accuracy": number, "completeness": number, "relevance": number, "rationale": string}.`;

export function judgeMessages(content: JudgeContent): OpenAI.Chat.ChatCompletionMessageParam[] {
  const parts = [`Question:\n${content.question}`, `Answer:\n${content.answer}`];
  if (content.tools.length > 0) {
    parts.push(`Tools the assistant called: ${content.tools.map((t) => `${t.name}${t.failed ? ' (failed)' : ''}`).join(', ')}`);
  }
  if (content.reference !== null) parts.push(`Reference answer:\n${content.reference}`);
  return [
    { role: 'system', content: INSTRUCTIONS },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export interface JudgeOptions {
  baseURL: string;
  apiKey?: string | undefined;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  /** First backoff; doubled on each retry, with jitter. */
  backoffMs?: number;
  /** Called after every attempt, for metrics. */
  onAttempt?: (outcome: AttemptOutcome, seconds: number) => void;
}

export type AttemptOutcome = 'ok' | 'malformed' | 'timeout' | 'error';

/** The judge model's call options from the judge settings (FLYWHEEL_JUDGE_*); null without FLYWHEEL_JUDGE_BASE_URL. */
export function judgeOptionsOf(config: ScoreConfig): JudgeOptions | null {
  if (config.judgeBaseUrl === undefined) return null;
  return {
    baseURL: config.judgeBaseUrl,
    apiKey: config.judgeApiKey,
    model: config.judgeModel,
    timeoutMs: config.judgeTimeoutMs,
    maxRetries: config.judgeMaxRetries,
    inputUsdPerMTok: config.judgeInputUsdPerMTok,
    outputUsdPerMTok: config.judgeOutputUsdPerMTok,
  };
}

export interface Usage {
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
}

export interface Judgement extends Usage {
  verdict: Verdict;
  model: string;
}

/** Every attempt failed; carries what they cost. */
export class JudgeError extends Error {
  override name = 'JudgeError';
  readonly outcome: AttemptOutcome;
  readonly usage: Usage;
  constructor(message: string, outcome: AttemptOutcome, usage: Usage) {
    super(message);
    this.outcome = outcome;
    this.usage = usage;
  }
}

/** The judge's answer did not parse or did not fit the schema asked for. */
class MalformedAnswerError extends Error {}

export interface Judge {
  readonly model: string;
  judge(content: JudgeContent, signal?: AbortSignal): Promise<Judgement>;
}

/** A structured answer and what getting it cost. */
export interface StructuredAnswer<T> extends Usage {
  value: T;
  model: string;
}

/**
 * The structured call the judge makes, for any zod schema: the model is asked for JSON of the
 * schema (json_schema response format) and its answer is validated before it is believed; a
 * failed, slow or malformed answer is retried with exponential backoff and jitter, and tokens and
 * cost are counted over every attempt. Mining's pattern summaries use it too.
 */
export interface StructuredCaller {
  readonly model: string;
  call<S extends z.ZodType>(schema: S, name: string, messages: OpenAI.Chat.ChatCompletionMessageParam[], signal?: AbortSignal): Promise<StructuredAnswer<z.infer<S>>>;
}

export function createStructuredCaller(options: JudgeOptions): StructuredCaller {
  // The client's own retries are off: ours also cover malformed answers, and count tokens.
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey ?? 'none',
    timeout: options.timeoutMs,
    maxRetries: 0,
  });
  const backoffMs = options.backoffMs ?? 500;

  async function attempt<S extends z.ZodType>(
    schema: S, name: string, messages: OpenAI.Chat.ChatCompletionMessageParam[], usage: Usage, signal: AbortSignal | undefined,
  ): Promise<{ value: z.infer<S>; model: string }> {
    const completion = await client.chat.completions.create(
      { model: options.model, messages, response_format: zodResponseFormat(schema, name), temperature: 0 },
      { signal },
    );
    const input = completion.usage?.prompt_tokens ?? 0;
    const output = completion.usage?.completion_tokens ?? 0;
    usage.inputTokens += input;
    usage.outputTokens += output;
    usage.costUsd += (input * options.inputUsdPerMTok + output * options.outputUsdPerMTok) / 1e6;
    const text = completion.choices[0]?.message.content ?? '';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new MalformedAnswerError(`the judge's answer is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new MalformedAnswerError(`the judge's answer does not fit the ${name} schema: ${z.prettifyError(parsed.error)}`);
    return { value: parsed.data, model: completion.model || options.model };
  }

  return {
    model: options.model,
    async call(schema, name, messages, signal) {
      const usage: Usage = { attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0 };
      const started = performance.now();
      for (;;) {
        usage.attempts++;
        const attemptStarted = performance.now();
        try {
          const { value, model } = await attempt(schema, name, messages, usage, signal);
          options.onAttempt?.('ok', (performance.now() - attemptStarted) / 1000);
          usage.latencyMs = performance.now() - started;
          return { value, model, ...usage };
        } catch (error) {
          const outcome: AttemptOutcome =
            error instanceof MalformedAnswerError ? 'malformed' : error instanceof APIConnectionTimeoutError ? 'timeout' : 'error';
          options.onAttempt?.(outcome, (performance.now() - attemptStarted) / 1000);
          const aborted = signal?.aborted === true;
          if (aborted || usage.attempts > options.maxRetries || !isRetryable(error)) {
            usage.latencyMs = performance.now() - started;
            throw new JudgeError(`${describe(error)} (after ${usage.attempts} attempt(s))`, outcome, usage);
          }
          const delay = backoffMs * 2 ** (usage.attempts - 1) * (0.5 + Math.random() / 2);
          await sleep(delay, signal);
        }
      }
    },
  };
}

export function createJudge(options: JudgeOptions): Judge {
  const caller = createStructuredCaller(options);
  return {
    model: options.model,
    async judge(content, signal) {
      const { value, ...rest } = await caller.call(verdictSchema, 'verdict', judgeMessages(content), signal);
      return { verdict: value, ...rest };
    },
  };
}

/** 4xx answers other than 408/409/429 will not change on a retry (bad model name, bad key). */
function isRetryable(error: unknown): boolean {
  if (error instanceof APIError && typeof error.status === 'number') {
    return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
  }
  return true;
}

function describe(error: unknown): string {
  if (error instanceof APIConnectionTimeoutError) return 'the judge did not answer in time';
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
