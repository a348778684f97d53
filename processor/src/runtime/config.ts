// The runtime's slice of the configuration: settings of the machinery every stage shares.
import { z } from 'zod';
import { type ConfigOf, type Setting } from '../config/setting.ts';

export const RUNTIME_SETTINGS = [
  {
    key: 'logLevel',
    env: 'FLYWHEEL_LOG_LEVEL',
    flag: 'log-level',
    expected: 'one of error, warn, info, debug',
    description: 'How much the processor writes to stderr',
    schema: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  },
] as const satisfies readonly Setting[];

export type RuntimeConfig = ConfigOf<typeof RUNTIME_SETTINGS>;
