// One setting of the processor, and the helpers the slices build their schemas with. Each
// folder that reads settings declares its slice (<folder>/config.ts, a list of Settings);
// config/config.ts composes the slices into the one schema and derives the types from them.
import { z } from 'zod';

export interface Setting {
  key: string;
  env: string;
  flag: string;
  /** The expected form, as shown in errors, --help and the README. */
  expected: string;
  description: string;
  schema: z.ZodType;
}

/** The validated values of a slice: `{ [key]: output of its schema }`. */
export type ConfigOf<S extends readonly Setting[]> = { [K in S[number] as K['key']]: z.infer<K['schema']> };

export const MiB = 1024 * 1024;

/** An integer from `min` to `max`, given as text (env var or flag). */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A duration in whole milliseconds, from `min` to `max`. */
export const ms = (min: number, max: number) => int(min, max);

/** A number from 0 to 1 (a score threshold). */
export const fraction = () => z.coerce.number().min(0).max(1);
