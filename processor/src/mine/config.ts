// The mining stage's slice of the configuration: how often a pass runs, what counts as a
// success and a failure, how much evidence a pattern needs, and the degradation forecast's
// thresholds and horizon.
import { z } from 'zod';
import { type ConfigOf, fraction, int, ms, type Setting } from '../config/setting.ts';
import { DEFAULT_THRESHOLDS } from '../score/config.ts';
import { EMBEDDING_SIMILAR } from './embedding-topics.ts';

export const MINE_SETTINGS = [
  {
    key: 'mineIntervalMs',
    env: 'FLYWHEEL_MINE_INTERVAL_MS',
    flag: 'mine-interval-ms',
    expected: 'an integer from 10 to 86400000 (milliseconds)',
    description: 'How often a mining pass recomputes patterns, topic clusters and forecasts of the agents with new scores (one replica at a time)',
    schema: ms(10, 86_400_000).default(60_000),
  },
  {
    key: 'mineSuccessMin',
    env: 'FLYWHEEL_MINE_SUCCESS_MIN',
    flag: 'mine-success-min',
    expected: 'a number from 0 to 1',
    description: 'An interaction whose satisfaction is above this is a success',
    schema: fraction().default(0.8),
  },
  {
    key: 'mineFailureMax',
    env: 'FLYWHEEL_MINE_FAILURE_MAX',
    flag: 'mine-failure-max',
    expected: 'a number from 0 to 1',
    description: 'An interaction whose satisfaction is below this is a failure',
    schema: fraction().default(0.4),
  },
  {
    key: 'mineMinSupport',
    env: 'FLYWHEEL_MINE_MIN_SUPPORT',
    flag: 'mine-min-support',
    expected: 'an integer from 1 to 1000000',
    description: 'Fewest interactions a segment needs before it can become a pattern',
    schema: int(1, 1_000_000).default(20),
  },
  {
    key: 'mineFdr',
    env: 'FLYWHEEL_MINE_FDR',
    flag: 'mine-fdr',
    expected: 'a number above 0 and at most 0.5',
    description: 'False discovery rate of the patterns reported (Benjamini-Hochberg q-value at most this)',
    schema: z.coerce.number().gt(0).max(0.5).default(0.05),
  },
  {
    key: 'mineMinLift',
    env: 'FLYWHEEL_MINE_MIN_LIFT',
    flag: 'mine-min-lift',
    expected: 'a number from 1 to 100',
    description: "Smallest ratio of a segment's rate to the agent's baseline rate (and of a two-fact segment's to each of its facts' rates) that makes a pattern",
    schema: z.coerce.number().min(1).max(100).default(1.25),
  },
  {
    key: 'mineWindowDays',
    env: 'FLYWHEEL_MINE_WINDOW_DAYS',
    flag: 'mine-window-days',
    expected: 'an integer from 1 to 3650 (days)',
    description: 'A pass mines the interactions that started within this many days',
    schema: int(1, 3650).default(30),
  },
  {
    key: 'forecastAccuracyMin',
    env: 'FLYWHEEL_FORECAST_ACCURACY_MIN',
    flag: 'forecast-accuracy-min',
    expected: 'a number from 0 to 1',
    description: "Daily mean accuracy below this is degraded (default: the training gate's accuracy)",
    schema: fraction().default(DEFAULT_THRESHOLDS.accuracy),
  },
  {
    key: 'forecastSatisfactionMin',
    env: 'FLYWHEEL_FORECAST_SATISFACTION_MIN',
    flag: 'forecast-satisfaction-min',
    expected: 'a number from 0 to 1',
    description: 'Daily mean satisfaction below this is degraded',
    schema: fraction().default(0.7),
  },
  {
    key: 'forecastHorizonDays',
    env: 'FLYWHEEL_FORECAST_HORIZON_DAYS',
    flag: 'forecast-horizon-days',
    expected: 'an integer from 1 to 365 (days)',
    description: 'A forecast crossing of a threshold within this many days raises an alert',
    schema: int(1, 365).default(7),
  },
  {
    key: 'mineEmbeddingsModel',
    env: 'FLYWHEEL_MINE_EMBEDDINGS_MODEL',
    flag: 'mine-embeddings-model',
    expected: 'a model name',
    description: 'Embedding model that topic clusters are made with, through an OpenAI-compatible embeddings endpoint; unset = MinHash clusters of the inputs\' words (also the fallback when the endpoint fails)',
    schema: z.string().min(1).optional(),
  },
  {
    key: 'mineEmbeddingsBaseUrl',
    env: 'FLYWHEEL_MINE_EMBEDDINGS_BASE_URL',
    flag: 'mine-embeddings-base-url',
    expected: 'an http:// or https:// URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1)',
    description: 'Embeddings endpoint (unset: FLYWHEEL_JUDGE_BASE_URL, else the openai client\'s default, OPENAI_BASE_URL or api.openai.com)',
    schema: z.string().regex(/^https?:\/\/\S+$/).optional(),
  },
  {
    key: 'mineEmbeddingsApiKey',
    env: 'FLYWHEEL_MINE_EMBEDDINGS_API_KEY',
    flag: 'mine-embeddings-api-key',
    expected: 'a non-empty string',
    description: 'API key sent to the embeddings endpoint (unset: FLYWHEEL_JUDGE_API_KEY, else OPENAI_API_KEY, else none)',
    schema: z.string().min(1).optional(),
  },
  {
    key: 'mineEmbeddingsSimilarity',
    env: 'FLYWHEEL_MINE_EMBEDDINGS_SIMILARITY',
    flag: 'mine-embeddings-similarity',
    expected: 'a number from 0 to 1',
    description: "Cosine similarity to a cluster's first input at which an input joins an embedding cluster",
    schema: fraction().default(EMBEDDING_SIMILAR),
  },
] as const satisfies readonly Setting[];

/** The settings the mining stage reads, as validated. */
export type MineConfig = ConfigOf<typeof MINE_SETTINGS>;
