// The store's slice of the configuration: which Postgres to store into (an external one, or
// the embedded one and where it keeps its data).
import { z } from 'zod';
import { type ConfigOf, int, type Setting } from '../config/setting.ts';

export const STORE_SETTINGS = [
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
    key: 'embeddedPostgres',
    env: 'FLYWHEEL_EMBEDDED_POSTGRES',
    flag: 'embedded-postgres',
    expected: "'on' or 'off'",
    description: "Start an embedded Postgres when DATABASE_URL is unset; 'off' makes DATABASE_URL required",
    schema: z.enum(['on', 'off']).default('on'),
  },
] as const satisfies readonly Setting[];

export type StoreConfig = ConfigOf<typeof STORE_SETTINGS>;

/**
 * What is wrong with the store settings taken together (each one alone already passed its
 * schema): with the embedded Postgres switched off there must be a DATABASE_URL.
 */
export function storeConfigProblems(config: StoreConfig): string[] {
  if (config.embeddedPostgres === 'off' && !config.databaseUrl) {
    return ['DATABASE_URL must be set when FLYWHEEL_EMBEDDED_POSTGRES is off (no embedded Postgres is started)'];
  }
  return [];
}
