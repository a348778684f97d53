// A seeded pseudo-random generator (mulberry32), so that a seed gives the same world, the same
// users and the same noise in every run. Streams are split by name: what the users ask never
// depends on how the agent answered, so both runs see the same questions.
import { mulberry32 } from '../../processor/src/mine/stats.ts';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element, each weighted. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  pick<T>(items: readonly T[]): T;
}

/** 32-bit FNV-1a of a string: seeds a stream from a seed and a name. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The generator of stream `name` under `seed`. */
export function randomStream(seed: number, name: string): Random {
  const next = mulberry32(hash32(`${seed}:${name}`) || 1);
  const random: Random = {
    next,
    chance: (p) => next() < p,
    int: (n) => Math.floor(next() * n),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted: (entries) => {
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let x = next() * total;
      for (const [value, w] of entries) {
        x -= w;
        if (x < 0) return value;
      }
      return (entries.at(-1) as (typeof entries)[number])[0];
    },
  };
  return random;
}
