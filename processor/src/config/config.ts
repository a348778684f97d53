// One zod schema for every setting of the processor. Each setting has one env var
// (FLYWHEEL_*, plus the standard DATABASE_URL) and one command-line flag; flags win over
// env vars, env vars over defaults. Validation happens once, at start-up.
import { z } from 'zod';
import { SCORE_SETTINGS } from '../score/config.ts';

export interface Setting {
  key: string;
  env: string;
  flag: string;
  /** The expected form, as shown in errors, --help and the README. */
  expected: string;
  description: string;
  schema: z.ZodType;
}

const MiB = 1024 * 1024;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const SETTINGS = [
  {
    key: 'host',
    env: 'FLYWHEEL_HOST',
    flag: 'host',
    expected: 'a host name or IP address',
    description: 'Address the HTTP server listens on',
    schema: z.string().min(1).default('127.0.0.1'),
  },
  {
    key: 'port',
    env: 'FLYWHEEL_PORT',
    flag: 'port',
    expected: 'an integer from 0 to 65535',
    description: 'Port of the OTLP/HTTP receiver and the REST API (0 picks a free port)',
    schema: int(0, 65535).default(4318),
  },
  {
    key: 'dataDir',
    env: 'FLYWHEEL_DATA_DIR',
    flag: 'data-dir',
    expected: 'a directory path',
    description: 'Where the embedded Postgres keeps its data (unused with DATABASE_URL)',
    schema: z.string().min(1).default('./.flywheel'),
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    flag: 'database-url',
    expected: 'a postgres:// or postgresql:// URL',
    description: 'External Postgres (15 or newer); when unset, an embedded Postgres is started',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//)
      .optional(),
  },
  {
    key: 'embeddedPgPort',
    env: 'FLYWHEEL_PG_PORT',
    flag: 'pg-port',
    expected: 'an integer from 1024 to 65535',
    description: 'Port of the embedded Postgres (loopback only)',
    schema: int(1024, 65535).default(54329),
  },
  {
    key: 'maxBodyBytes',
    env: 'FLYWHEEL_MAX_BODY_BYTES',
    flag: 'max-body-bytes',
    expected: 'a positive integer (bytes)',
    description: 'Largest OTLP request body, checked before and after decompression (413 above it)',
    schema: int(1024, 1024 * MiB).default(20 * MiB),
  },
  {
    key: 'maxConcurrentWrites',
    env: 'FLYWHEEL_MAX_CONCURRENT_WRITES',
    flag: 'max-concurrent-writes',
    expected: 'an integer from 1 to 64',
    description: 'OTLP batches written to Postgres at the same time',
    schema: int(1, 64).default(4),
  },
  {
    key: 'maxQueuedWrites',
    env: 'FLYWHEEL_MAX_QUEUED_WRITES',
    flag: 'max-queued-writes',
    expected: 'an integer from 0 to 10000',
    description: 'OTLP batches allowed to wait for a writer; beyond that the receiver answers 503',
    schema: int(0, 10000).default(64),
  },
  {
    key: 'maxPendingBytes',
    env: 'FLYWHEEL_MAX_PENDING_BYTES',
    flag: 'max-pending-bytes',
    expected: 'a positive integer (bytes)',
    description: 'Request bodies held in memory at once (being read, queued or written); beyond it 503',
    schema: int(1024 * 1024, 64 * 1024 * MiB).default(256 * MiB),
  },
  {
    key: 'queueTimeoutMs',
    env: 'FLYWHEEL_QUEUE_TIMEOUT_MS',
    flag: 'queue-timeout-ms',
    expected: 'an integer from 1 to 600000 (milliseconds)',
    description: 'How long a batch may wait for a writer before the receiver answers 503',
    schema: int(1, 600_000).default(5_000),
  },
  {
    key: 'writeTimeoutMs',
    env: 'FLYWHEEL_WRITE_TIMEOUT_MS',
    flag: 'write-timeout-ms',
    expected: 'an integer from 100 to 600000 (milliseconds)',
    description: 'Longest a batch write may take in Postgres before it is abandoned with 503',
    schema: int(100, 600_000).default(30_000),
  },
  {
    key: 'retryAfterSeconds',
    env: 'FLYWHEEL_RETRY_AFTER_SECONDS',
    flag: 'retry-after-seconds',
    expected: 'an integer from 1 to 3600',
    description: 'Retry-After sent with 429/503 answers',
    schema: int(1, 3600).default(5),
  },
  {
    key: 'shutdownTimeoutMs',
    env: 'FLYWHEEL_SHUTDOWN_TIMEOUT_MS',
    flag: 'shutdown-timeout-ms',
    expected: 'an integer from 0 to 600000 (milliseconds)',
    description: 'On SIGINT/SIGTERM, how long in-flight requests may take to finish',
    schema: int(0, 600_000).default(10_000),
  },
  {
    key: 'logLevel',
    env: 'FLYWHEEL_LOG_LEVEL',
    flag: 'log-level',
    expected: 'one of error, warn, info, debug',
    description: 'How much the processor writes to stderr',
    schema: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  },
  {
    key: 'auth',
    env: 'FLYWHEEL_AUTH',
    flag: 'auth',
    expected: 'one of auto, required',
    description:
      'auto: requests need an API key once the first key exists (until then local mode: no key, project default, loopback only); required: always',
    schema: z.enum(['auto', 'required']).default('auto'),
  },
  ...SCORE_SETTINGS,
] as const satisfies readonly Setting[];

const configSchema = z.object(
  Object.fromEntries(SETTINGS.map((s) => [s.key, s.schema])) as {
    [S in (typeof SETTINGS)[number] as S['key']]: S['schema'];
  },
);

export type Config = z.infer<typeof configSchema>;

export const settings: readonly (Setting & { key: keyof Config })[] = SETTINGS;

/** A setting given with a value that does not fit; the message names the setting and its form. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from env vars and already-parsed flags (flag name -> raw value).
 * Throws a ConfigError naming every bad setting, e.g.
 * "FLYWHEEL_PORT must be an integer from 0 to 65535, got 'abc'".
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: Record<string, string | undefined> = {},
): Config {
  const raw: Record<string, string | undefined> = {};
  const origin = new Map<string, string>();
  for (const s of SETTINGS) {
    const fromFlag = flags[s.flag];
    const fromEnv = env[s.env];
    if (fromFlag !== undefined) {
      raw[s.key] = fromFlag;
      origin.set(s.key, `--${s.flag}`);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[s.key] = fromEnv;
      origin.set(s.key, s.env);
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    const setting = SETTINGS.find((s) => s.key === key);
    if (!setting) return issue.message;
    return `${origin.get(key) ?? setting.env} must be ${setting.expected}, got '${raw[key]}'`;
  });
  throw new ConfigError(problems.join('\n'));
}
