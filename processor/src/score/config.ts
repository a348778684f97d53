// The score stage's slice of the one configuration schema (config/config.ts composes it with
// the others): settle delay and worker batching, the training-gate thresholds, the
// implicit-signal windows, and the optional LLM judge (off unless FLYWHEEL_JUDGE_BASE_URL is set).
import { z } from 'zod';
import { type ConfigOf, fraction, int, ms, type Setting } from '../config/setting.ts';

const nonNegative = () => z.coerce.number().min(0).max(1_000_000);

/** The project's default gate thresholds (README, "Quality assessment"). */
export const DEFAULT_THRESHOLDS = { accuracy: 0.85, completeness: 0.9, relevance: 0.8, timeliness: 0.75 } as const;

export const SCORE_SETTINGS = [
  {
    key: 'scoreSettleMs',
    env: 'FLYWHEEL_SCORE_SETTLE_MS',
    flag: 'score-settle-ms',
    expected: 'an integer from 0 to 86400000 (milliseconds)',
    description: 'An interaction is scored once no span or event of it has arrived for this long',
    schema: ms(0, 86_400_000).default(30_000),
  },
  {
    key: 'scorePollMs',
    env: 'FLYWHEEL_SCORE_POLL_MS',
    flag: 'score-poll-ms',
    expected: 'an integer from 10 to 600000 (milliseconds)',
    description: 'How often an idle scoring worker looks for settled interactions',
    schema: ms(10, 600_000).default(1_000),
  },
  {
    key: 'scoreBatchSize',
    env: 'FLYWHEEL_SCORE_BATCH_SIZE',
    flag: 'score-batch-size',
    expected: 'an integer from 1 to 10000',
    description: 'Interactions a scoring worker claims and scores in one transaction',
    schema: int(1, 10_000).default(500),
  },
  {
    key: 'scoreWorkers',
    env: 'FLYWHEEL_SCORE_WORKERS',
    flag: 'score-workers',
    expected: 'an integer from 0 to 16 (0 turns scoring off in this process)',
    description: 'Scoring loops in this process, each holding one database connection while it scores a batch',
    // Two overlap one batch's database work with the other's scoring (bench/score.ts).
    schema: int(0, 16).default(2),
  },
  {
    key: 'retryWindowMs',
    env: 'FLYWHEEL_SCORE_RETRY_WINDOW_MS',
    flag: 'score-retry-window-ms',
    expected: 'an integer from 1000 to 86400000 (milliseconds)',
    description: 'A next turn in the same conversation started within this long after an answer can count as a retry or rephrase of it',
    schema: ms(1_000, 86_400_000).default(300_000),
  },
  {
    key: 'abandonMs',
    env: 'FLYWHEEL_SCORE_ABANDON_MS',
    flag: 'score-abandon-ms',
    expected: 'an integer from 1000 to 2592000000 (milliseconds)',
    description: 'A conversation idle this long after a troubled last turn counts as abandoned',
    schema: ms(1_000, 2_592_000_000).default(1_800_000),
  },
  {
    key: 'freshnessHalfLifeDays',
    env: 'FLYWHEEL_SCORE_FRESHNESS_HALF_LIFE_DAYS',
    flag: 'score-freshness-half-life-days',
    expected: 'a number from 0.001 to 36500 (days)',
    description: 'Timeliness halves with every this many days of age of the knowledge (or, unknown, of the answer)',
    schema: z.coerce.number().min(0.001).max(36_500).default(90),
  },
  {
    key: 'gateAccuracy',
    env: 'FLYWHEEL_GATE_ACCURACY',
    flag: 'gate-accuracy',
    expected: 'a number from 0 to 1',
    description: 'Training gate: lowest accuracy an eligible interaction may have',
    schema: fraction().default(DEFAULT_THRESHOLDS.accuracy),
  },
  {
    key: 'gateCompleteness',
    env: 'FLYWHEEL_GATE_COMPLETENESS',
    flag: 'gate-completeness',
    expected: 'a number from 0 to 1',
    description: 'Training gate: lowest completeness an eligible interaction may have',
    schema: fraction().default(DEFAULT_THRESHOLDS.completeness),
  },
  {
    key: 'gateRelevance',
    env: 'FLYWHEEL_GATE_RELEVANCE',
    flag: 'gate-relevance',
    expected: 'a number from 0 to 1',
    description: 'Training gate: lowest relevance an eligible interaction may have',
    schema: fraction().default(DEFAULT_THRESHOLDS.relevance),
  },
  {
    key: 'gateTimeliness',
    env: 'FLYWHEEL_GATE_TIMELINESS',
    flag: 'gate-timeliness',
    expected: 'a number from 0 to 1',
    description: 'Training gate: lowest timeliness an eligible interaction may have',
    schema: fraction().default(DEFAULT_THRESHOLDS.timeliness),
  },
  {
    key: 'judgeBaseUrl',
    env: 'FLYWHEEL_JUDGE_BASE_URL',
    flag: 'judge-base-url',
    expected: 'an http:// or https:// URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1)',
    description: 'LLM judge endpoint; unset = no judge',
    schema: z.string().regex(/^https?:\/\/\S+$/).optional(),
  },
  {
    key: 'judgeApiKey',
    env: 'FLYWHEEL_JUDGE_API_KEY',
    flag: 'judge-api-key',
    expected: 'a non-empty string',
    description: 'API key sent to the judge endpoint (unset: none, for local servers)',
    schema: z.string().min(1).optional(),
  },
  {
    key: 'judgeModel',
    env: 'FLYWHEEL_JUDGE_MODEL',
    flag: 'judge-model',
    expected: 'a model name',
    description: 'Model the judge asks',
    schema: z.string().min(1).default('gpt-4o-mini'),
  },
  {
    key: 'judgeConcurrency',
    env: 'FLYWHEEL_JUDGE_CONCURRENCY',
    flag: 'judge-concurrency',
    expected: 'an integer from 1 to 64',
    description: 'Judge requests in flight at once from this process',
    schema: int(1, 64).default(2),
  },
  {
    key: 'judgeTimeoutMs',
    env: 'FLYWHEEL_JUDGE_TIMEOUT_MS',
    flag: 'judge-timeout-ms',
    expected: 'an integer from 100 to 600000 (milliseconds)',
    description: 'Longest one judge request may take before it is abandoned (and retried)',
    schema: ms(100, 600_000).default(30_000),
  },
  {
    key: 'judgeMaxRetries',
    env: 'FLYWHEEL_JUDGE_MAX_RETRIES',
    flag: 'judge-max-retries',
    expected: 'an integer from 0 to 10',
    description: 'Retries (with exponential backoff) of a failed, slow or malformed judge answer',
    schema: int(0, 10).default(2),
  },
  {
    key: 'judgeParentWaitMs',
    env: 'FLYWHEEL_JUDGE_PARENT_WAIT_MS',
    flag: 'judge-parent-wait-ms',
    expected: 'an integer from 0 to 86400000 (milliseconds)',
    description:
      'How long an interaction whose top span names a parent not stored yet waits for that parent before it is judged as it is (0 = no wait)',
    // A parent span is exported only when it ends, after its children (the SDK's BatchSpanProcessor
    // exports each span as it ends): until it arrives, the children's interactions are partial
    // and are replaced when it does. The wait counts from the last span of the trace to arrive;
    // a parent that is never exported to us (a remote caller) costs this much delay, no more.
    schema: int(0, 86_400_000).default(300_000),
  },
  {
    key: 'judgeInputUsdPerMTok',
    env: 'FLYWHEEL_JUDGE_INPUT_USD_PER_MTOK',
    flag: 'judge-input-usd-per-mtok',
    expected: 'a non-negative number (US dollars per million tokens)',
    description: 'Price of the judge model\'s input tokens, for the recorded cost',
    schema: nonNegative().default(0),
  },
  {
    key: 'judgeOutputUsdPerMTok',
    env: 'FLYWHEEL_JUDGE_OUTPUT_USD_PER_MTOK',
    flag: 'judge-output-usd-per-mtok',
    expected: 'a non-negative number (US dollars per million tokens)',
    description: 'Price of the judge model\'s output tokens, for the recorded cost',
    schema: nonNegative().default(0),
  },
] as const satisfies readonly Setting[];

/** The settings the score stage reads, as validated. */
export type ScoreConfig = ConfigOf<typeof SCORE_SETTINGS>;
