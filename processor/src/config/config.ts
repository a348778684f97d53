// One zod schema for every setting of the processor, composed of the slices each folder
// declares in its config.ts. Each setting has one env var (FLYWHEEL_*, plus the standard
// DATABASE_URL) and one command-line flag; flags win over env vars, env vars over defaults.
// Validation happens once, at start-up.
import { z } from 'zod';
import { API_SETTINGS, LISTEN_SETTINGS } from '../api/config.ts';
import { KNOWLEDGE_SETTINGS } from '../knowledge/config.ts';
import { MINE_SETTINGS } from '../mine/config.ts';
import { REDACT_SETTINGS } from '../redact/config.ts';
import { RETENTION_SETTINGS } from '../retention/config.ts';
import { RUNTIME_SETTINGS } from '../runtime/config.ts';
import { SCORE_SETTINGS } from '../score/config.ts';
import { STORE_SETTINGS, storeConfigProblems } from '../store/config.ts';
import type { ConfigOf, Setting } from './setting.ts';

/** Every slice by name, in the order --help, the README and error messages list them. */
export const SLICES = {
  listen: LISTEN_SETTINGS,
  store: STORE_SETTINGS,
  api: API_SETTINGS,
  redact: REDACT_SETTINGS,
  runtime: RUNTIME_SETTINGS,
  score: SCORE_SETTINGS,
  knowledge: KNOWLEDGE_SETTINGS,
  mine: MINE_SETTINGS,
  retention: RETENTION_SETTINGS,
} as const;

export type SliceName = keyof typeof SLICES;

export type Config = ConfigOf<(typeof SLICES)[SliceName]>;

export const settings: readonly (Setting & { key: keyof Config })[] = Object.values(SLICES).flat();

const configSchema = z.object(Object.fromEntries(settings.map((s) => [s.key, s.schema])));

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
  for (const s of settings) {
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
  if (parsed.success) {
    // Each key's value is the output of that setting's schema, which is what Config says.
    const config = parsed.data as Config;
    const problems = storeConfigProblems(config);
    if (problems.length > 0) throw new ConfigError(problems.join('\n'));
    return config;
  }
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    const setting = settings.find((s) => s.key === key);
    if (!setting) return issue.message;
    return `${origin.get(key) ?? setting.env} must be ${setting.expected}, got '${withoutPassword(raw[key] ?? '')}'`;
  });
  throw new ConfigError(problems.join('\n'));
}

/**
 * A value as an error may show it: the password of a URL's user info (postgres://user:secret@host)
 * is masked, since errors end up in terminals, logs and CI output.
 */
export function withoutPassword(value: string): string {
  return value.replace(/(\/\/[^/:@\s]*:)[^@\s]*@/g, '$1***@');
}
