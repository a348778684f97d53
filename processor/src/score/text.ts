// Text of messages and the content terms the lexical heuristics compare. English-centred: the
// stop words are English and stemming only strips a few English suffixes (README, "Quality
// assessment": known limits).
import type { Message } from '../normalize/interaction.ts';

/** Text parts of one message, joined by newlines; '' when it has none. */
function textOf(message: Message): string {
  const texts: string[] = [];
  for (const part of message.parts) {
    if (part.type === 'text' && typeof part.content === 'string') texts.push(part.content);
  }
  return texts.join('\n');
}

/** What the user asked last: the text of the last `user` message; null without content. */
export function lastUserText(input: readonly Message[] | null): string | null {
  if (input === null) return null;
  for (let i = input.length - 1; i >= 0; i--) {
    const message = input[i] as Message;
    if (message.role === 'user') {
      const text = textOf(message);
      if (text.trim() !== '') return text;
    }
  }
  return null;
}

/** The answer: the text of every assistant message of the output; null without content. */
export function answerText(output: readonly Message[] | null): string | null {
  if (output === null) return null;
  return output
    .filter((m) => m.role === 'assistant' || m.role === 'model')
    .map(textOf)
    .filter((t) => t !== '')
    .join('\n');
}

/** True when the output ends asking for tools (a tool_call part in its last message). */
export function endsWithToolCall(output: readonly Message[] | null): boolean {
  const last = output?.at(-1);
  return last !== undefined && last.parts.some((p) => p.type === 'tool_call') && textOf(last).trim() === '';
}

const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only or ' +
    'other our ours ourselves out over own please same she should so some such than that the their theirs them themselves ' +
    'then there these they this those through to too under until up very was we were what when where which while who whom ' +
    'why will with would you your yours yourself yourselves can\'t don\'t i\'m it\'s tell know get got also ok okay hi hello thanks thank'
  ).split(' '),
);

const TOKEN = /[\p{L}\p{N}]+(?:['.\-_/][\p{L}\p{N}]+)*/gu;

/**
 * A word reduced to a crude stem, so "shipped", "shipping" and "ships" meet. Words with digits
 * (order numbers, versions) are kept whole: a different digit is a different thing.
 */
export function stem(word: string): string {
  if (/\d/.test(word) || word.length <= 4) return word;
  if (/[^aeiou]ie[sd]$/.test(word)) return `${word.slice(0, -3)}y`; // replies, replied -> reply
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2); // boxes -> box
  if (/s$/.test(word) && !/(ss|us|is)$/.test(word)) return word.slice(0, -1); // times -> time
  const suffix = /(ingly|edly|ing|ed|ly)$/.exec(word)?.[1];
  if (suffix === undefined || word.length - suffix.length < 3) return word;
  const base = word.slice(0, -suffix.length);
  // shipp(ed) -> ship: undo a doubled final consonant.
  if (base.length >= 4 && base.at(-1) === base.at(-2) && !/[aeiouls]/.test(base.at(-1) as string)) return base.slice(0, -1);
  return base;
}

/** The distinct content terms of a text: lower-cased words minus stop words, stemmed. */
export function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const match of text.toLowerCase().matchAll(TOKEN)) {
    const word = match[0];
    if (STOP_WORDS.has(word)) continue;
    terms.add(stem(word));
  }
  return terms;
}

/** Share of `reference` terms found in `candidate` (1 when every term is there); null when `reference` has none. */
export function termRecall(reference: ReadonlySet<string>, candidate: ReadonlySet<string>): number | null {
  if (reference.size === 0) return null;
  let found = 0;
  for (const term of reference) if (candidate.has(term)) found++;
  return found / reference.size;
}

/** Jaccard similarity of two term sets: |A ∩ B| / |A ∪ B|; null for two empty sets (nothing to compare). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number | null {
  if (a.size === 0 && b.size === 0) return null;
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Lower case, punctuation and runs of spaces removed: texts equal under this are "the same question". */
export function normalizeText(text: string): string {
  return (text.toLowerCase().match(TOKEN) ?? []).join(' ');
}

/** Rounds a score for storage and display (4 decimals). */
export function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
