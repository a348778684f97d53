// knowledge(): the agent's committed knowledge from the processor (GET /api/knowledge), cached
// in the process and refreshed in the background with If-None-Match, so reading it costs no
// request. The agent never waits on it and never sees its errors: when the processor is down or
// answers something unreadable, the last good copy stays and the reason goes to `diag`.
import { diag } from '@opentelemetry/api';
import { z } from 'zod';
import type { KnowledgeClient, KnowledgeGuidance, KnowledgeItem, KnowledgeOptions } from './types.ts';

export const DEFAULT_KNOWLEDGE_URL = 'http://localhost:4318';
export const DEFAULT_KNOWLEDGE_REFRESH_MS = 60_000;
export const DEFAULT_KNOWLEDGE_TIMEOUT_MS = 5_000;
/** Most items search() returns unless told. */
export const DEFAULT_SEARCH_LIMIT = 5;

const PREFIX = '@agent-flywheel/instrumentation: knowledge';

const responseSchema = z.object({
  items: z.array(
    z.object({
      id: z.coerce.string(),
      key: z.string(),
      content: z.string(),
      confidence: z.number(),
      agent: z.string().nullable(),
      source: z.string().nullable(),
      committedAt: z.string(),
      version: z.number(),
    }),
  ),
  guidance: z.object({ reinforce: z.array(z.unknown()), avoid: z.array(z.unknown()) }).optional(),
});

const EMPTY_GUIDANCE: KnowledgeGuidance = Object.freeze({ reinforce: Object.freeze([]), avoid: Object.freeze([]) });

/** Starts loading the agent's knowledge and returns its handle at once. */
export function knowledge(options: KnowledgeOptions): KnowledgeClient {
  const base = (options.url ?? process.env.FLYWHEEL_URL ?? DEFAULT_KNOWLEDGE_URL).replace(/\/+$/, '');
  const endpoint = `${base}/api/knowledge?agent=${encodeURIComponent(options.agent)}`;
  const apiKey = options.apiKey ?? process.env.FLYWHEEL_API_KEY;
  const refreshMs = positive(options.refreshMs, DEFAULT_KNOWLEDGE_REFRESH_MS, 'refreshMs');
  const timeoutMs = positive(options.timeoutMs, DEFAULT_KNOWLEDGE_TIMEOUT_MS, 'timeoutMs');

  let items: readonly KnowledgeItem[] = [];
  let guidance = EMPTY_GUIDANCE;
  let index: SearchIndex = indexOf([]);
  let etag: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** One request; true when the cache now holds a good copy. */
  const load = async (): Promise<boolean> => {
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
      if (etag !== undefined) headers['if-none-match'] = etag;
      const response = await fetch(endpoint, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 304) return true;
      if (response.status !== 200) {
        diag.warn(`${PREFIX}: GET ${endpoint} answered ${response.status}; keeping the last good copy`);
        await response.body?.cancel();
        return false;
      }
      const parsed = responseSchema.safeParse(await response.json());
      if (!parsed.success) {
        diag.warn(`${PREFIX}: GET ${endpoint} answered an unexpected shape (${z.prettifyError(parsed.error)}); keeping the last good copy`);
        return false;
      }
      items = Object.freeze(parsed.data.items.map((i) => Object.freeze(i)));
      guidance = Object.freeze({ reinforce: Object.freeze(parsed.data.guidance?.reinforce ?? []), avoid: Object.freeze(parsed.data.guidance?.avoid ?? []) });
      index = indexOf(items);
      etag = response.headers.get('etag') ?? undefined;
      return true;
    } catch (error) {
      diag.warn(`${PREFIX}: GET ${endpoint} failed (${(error as Error).message}); keeping the last good copy`);
      return false;
    }
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void load().then(schedule), refreshMs);
    // A refresh never keeps the agent's process alive.
    timer.unref();
  };

  const first = load().then((loaded) => {
    schedule();
    return loaded;
  });

  return {
    items: () => items,
    search: (question, limit = DEFAULT_SEARCH_LIMIT) => {
      try {
        return rank(index, question, limit);
      } catch (error) {
        diag.error(`${PREFIX}: search failed: ${(error as Error).message}`);
        return [];
      }
    },
    guidance: () => guidance,
    ready: () => first,
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

interface SearchIndex {
  entries: { item: KnowledgeItem; terms: Set<string> }[];
  /** How many items each term occurs in. */
  frequency: Map<string, number>;
}

/** Lower-case words of two or more letters or digits. */
export function termsOf(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((t) => !STOP_WORDS.has(t)));
}

function indexOf(items: readonly KnowledgeItem[]): SearchIndex {
  const entries = items.map((item) => ({ item, terms: termsOf(`${item.key} ${item.content}`) }));
  const frequency = new Map<string, number>();
  for (const { terms } of entries) for (const t of terms) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  return { entries, frequency };
}

/** Items by the summed inverse document frequency of the question's terms they contain; ties by confidence. */
function rank(index: SearchIndex, question: string, limit: number): KnowledgeItem[] {
  const asked = termsOf(question);
  const n = index.entries.length;
  const scored: { item: KnowledgeItem; score: number }[] = [];
  for (const { item, terms } of index.entries) {
    let score = 0;
    for (const t of asked) if (terms.has(t)) score += Math.log(1 + n / (index.frequency.get(t) as number));
    if (score > 0) scored.push({ item, score });
  }
  scored.sort((a, b) => b.score - a.score || b.item.confidence - a.item.confidence);
  return scored.slice(0, Math.max(0, limit)).map((s) => s.item);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (Number.isFinite(value) && value > 0) return value;
  diag.error(`${PREFIX}: ${name} must be a positive number of ms, got ${value}; using ${fallback}`);
  return fallback;
}

/** English words too common to say what a question is about. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'can', 'do', 'does', 'for', 'from', 'has', 'have', 'how', 'i', 'in', 'is', 'it',
  'me', 'my', 'of', 'on', 'or', 'our', 'the', 'to', 'was', 'we', 'what', 'when', 'where', 'which', 'who', 'why', 'will', 'with', 'you', 'your',
]);
