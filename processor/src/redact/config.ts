// The redaction slice of the configuration: which built-in detectors run at ingest
// (detectors.ts) and where custom patterns come from (patterns-file.ts).
import { z } from 'zod';
import type { ConfigOf, Setting } from '../config/setting.ts';

export const REDACT_SETTINGS = [
  {
    key: 'redact',
    env: 'FLYWHEEL_REDACT',
    flag: 'redact',
    expected: 'one of off, default, strict',
    description:
      'PII redaction at ingest: off; default (emails, phone numbers, cards, IBANs, provider secrets, IPs); strict (also high-entropy tokens, key=value secrets, compact national numbers)',
    schema: z.enum(['off', 'default', 'strict']).default('off'),
  },
  {
    key: 'redactPatterns',
    env: 'FLYWHEEL_REDACT_PATTERNS',
    flag: 'redact-patterns',
    expected: 'a path to a JSON file of NAME -> regular expression',
    description: 'Custom redaction patterns, applied before the built-in ones (also when FLYWHEEL_REDACT is off)',
    schema: z.string().min(1).optional(),
  },
] as const satisfies readonly Setting[];

export type RedactConfig = ConfigOf<typeof REDACT_SETTINGS>;
