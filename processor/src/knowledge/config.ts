// The knowledge stage's slice of the configuration: how often it drains knowledge_queue, the
// batch commit rule, and how often and how far it reads knowledge sources.
import { type ConfigOf, fraction, int, MiB, ms, type Setting } from '../config/setting.ts';

export const KNOWLEDGE_SETTINGS = [
  {
    key: 'knowledgePollMs',
    env: 'FLYWHEEL_KNOWLEDGE_POLL_MS',
    flag: 'knowledge-poll-ms',
    expected: 'an integer from 10 to 3600000 (milliseconds)',
    description: 'How often the knowledge stage turns newly scored interactions into candidates and applies the batch commit rule',
    schema: ms(10, 3_600_000).default(5_000),
  },
  {
    key: 'knowledgeCommitBatch',
    env: 'FLYWHEEL_KNOWLEDGE_COMMIT_BATCH',
    flag: 'knowledge-commit-batch',
    expected: 'an integer from 1 to 1000000',
    description: 'Automatic commit happens once at least this many knowledge items of a project are pending',
    schema: int(1, 1_000_000).default(10),
  },
  {
    key: 'knowledgeCommitConfidence',
    env: 'FLYWHEEL_KNOWLEDGE_COMMIT_CONFIDENCE',
    flag: 'knowledge-commit-confidence',
    expected: 'a number from 0 to 1',
    description: 'Automatic commit takes the pending items with a confidence above this; the rest wait for a person',
    schema: fraction().default(0.85),
  },
  {
    key: 'sourcesPollMs',
    env: 'FLYWHEEL_SOURCES_POLL_MS',
    flag: 'sources-poll-ms',
    expected: 'an integer from 10 to 3600000 (milliseconds)',
    description: 'How often the knowledge stage looks for knowledge sources due for a refresh',
    schema: ms(10, 3_600_000).default(30_000),
  },
  {
    key: 'sourceTimeoutMs',
    env: 'FLYWHEEL_SOURCE_TIMEOUT_MS',
    flag: 'source-timeout-ms',
    expected: 'an integer from 100 to 600000 (milliseconds)',
    description: 'Longest the read of one knowledge source may take (then it counts as failed and is retried)',
    schema: ms(100, 600_000).default(10_000),
  },
  {
    key: 'sourceMaxBytes',
    env: 'FLYWHEEL_SOURCE_MAX_BYTES',
    flag: 'source-max-bytes',
    expected: 'an integer from 1 to 1073741824 (bytes)',
    description: 'Largest knowledge source read; a larger one is aborted and recorded as failed',
    schema: int(1, 1024 * MiB).default(5 * MiB),
  },
] as const satisfies readonly Setting[];

/** The settings the knowledge stage reads, as validated. */
export type KnowledgeConfig = ConfigOf<typeof KNOWLEDGE_SETTINGS>;
