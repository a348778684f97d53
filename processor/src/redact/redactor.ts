// The redactor: replaces personal data and secrets in text by typed placeholders ([EMAIL],
// [CARD], ... and [NAME] for a custom pattern) and counts each replacement by type. Pure: the
// mode and the custom patterns are fixed when it is made; every call takes the counts to add to.
import type { AttributeValue, Attributes } from '../otlp/records.ts';
import { builtinDetectors, type Detector, type RedactMode } from './detectors.ts';

/** A custom pattern: its matches become `[name]`. */
export interface CustomPattern {
  name: string;
  pattern: RegExp;
}

/** Redactions by placeholder type (EMAIL, CARD, a custom name...). */
export type RedactionCounts = Map<string, number>;

export interface Redactor {
  readonly mode: RedactMode;
  /** False when the mode is off and there are no custom patterns: every call returns its input. */
  readonly enabled: boolean;
  /** The names of the custom patterns, in the order they run. */
  readonly customTypes: readonly string[];
  /** The text with each detected value replaced by its placeholder. */
  text(value: string, counts: RedactionCounts): string;
  /** An attribute value with every string in it (array items, kvlist values) redacted. */
  value(value: AttributeValue, counts: RedactionCounts): AttributeValue;
  /**
   * Attributes with every string value redacted. Values of identifier keys (`*.id`, `*_id`,
   * `*.ids`) are exempt from the strict high-entropy rule only: a response or tool-call id is not a secret.
   */
  attributes(attributes: Attributes, counts: RedactionCounts): Attributes;
  /**
   * The same redactor remembering, for as long as it is used, what each longer text became:
   * one batch repeats its message content on several spans. Counts are added on every use.
   */
  scoped(): Redactor;
}

export interface RedactorOptions {
  mode: RedactMode;
  custom?: readonly CustomPattern[];
}

/** A JSON string literal. Text with a backslash may be JSON whose escapes hide a value (\u0040) or border it (\n). */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

const IDENTIFIER_KEY = /(?:\.id|_id|\.ids)$/;

/** Texts shorter than this are redacted again rather than looked up: they cost less than the lookup. */
const MEMO_MIN_LENGTH = 64;

/** By detector list, each text and what it became, with its redactions. */
type Memo = Map<readonly Detector[], Map<string, { text: string; counts: [string, number][] }>>;

export function createRedactor(options: RedactorOptions): Redactor {
  const custom: Detector[] = (options.custom ?? []).map(({ name, pattern }) => ({
    type: name,
    pattern: new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`),
    replace: (_match, placeholder) => placeholder,
  }));
  const builtin = options.mode === 'off' ? [] : builtinDetectors(options.mode);
  const all = [...custom, ...builtin];
  const forIdentifiers = [...custom, ...builtin.filter((d) => !d.entropy)];
  const enabled = all.length > 0;

  function plain(text: string, detectors: readonly Detector[], counts: RedactionCounts): string {
    let out = text;
    for (const detector of detectors) {
      if (detector.gate && !detector.gate(out)) continue;
      out = out.replace(detector.pattern, (match: string) => {
        const replaced = detector.replace(match, `[${detector.type}]`);
        if (replaced === null) return match;
        counts.set(detector.type, (counts.get(detector.type) ?? 0) + 1);
        return replaced;
      });
    }
    return out;
  }

  function text(value: string, detectors: readonly Detector[], counts: RedactionCounts): string {
    // The shortest value any built-in detector takes is an IPv6 loopback (::1).
    if (value.length < 3) return custom.length > 0 ? plain(value, custom, counts) : value;
    if (!value.includes('\\')) return plain(value, detectors, counts);
    let out = '';
    let last = 0;
    for (const m of value.matchAll(JSON_STRING)) {
      out += plain(value.slice(last, m.index), detectors, counts);
      out += literal(m[0], detectors, counts);
      last = m.index + m[0].length;
    }
    return out + plain(value.slice(last), detectors, counts);
  }

  /** A JSON string literal, redacted in its decoded form and encoded again only if something changed. */
  function literal(quoted: string, detectors: readonly Detector[], counts: RedactionCounts): string {
    let decoded: string;
    try {
      decoded = JSON.parse(quoted) as string;
    } catch {
      return plain(quoted, detectors, counts);
    }
    const redacted = text(decoded, detectors, counts);
    return redacted === decoded ? quoted : JSON.stringify(redacted);
  }

  function remembered(v: string, detectors: readonly Detector[], counts: RedactionCounts, memo: Memo | undefined): string {
    if (memo === undefined || v.length < MEMO_MIN_LENGTH) return text(v, detectors, counts);
    let byText = memo.get(detectors);
    if (byText === undefined) memo.set(detectors, (byText = new Map()));
    let done = byText.get(v);
    if (done === undefined) {
      const own: RedactionCounts = new Map();
      done = { text: text(v, detectors, own), counts: [...own] };
      byText.set(v, done);
    }
    for (const [type, n] of done.counts) counts.set(type, (counts.get(type) ?? 0) + n);
    return done.text;
  }

  function value(v: AttributeValue, detectors: readonly Detector[], counts: RedactionCounts, memo: Memo | undefined): AttributeValue {
    if (typeof v === 'string') return remembered(v, detectors, counts, memo);
    if (Array.isArray(v)) return v.map((item) => value(item, detectors, counts, memo));
    if (v !== null && typeof v === 'object') {
      const out: { [key: string]: AttributeValue } = {};
      for (const [key, item] of Object.entries(v)) out[key] = value(item, detectors, counts, memo);
      return out;
    }
    return v;
  }

  function redactor(memo: Memo | undefined): Redactor {
    return {
      mode: options.mode,
      enabled,
      customTypes: custom.map((d) => d.type),
      text: (v, counts) => (enabled ? remembered(v, all, counts, memo) : v),
      value: (v, counts) => (enabled ? value(v, all, counts, memo) : v),
      attributes(attributes, counts) {
        if (!enabled) return attributes;
        const out: Attributes = {};
        for (const [key, v] of Object.entries(attributes)) out[key] = value(v, IDENTIFIER_KEY.test(key) ? forIdentifiers : all, counts, memo);
        return out;
      },
      scoped: () => redactor(new Map()),
    };
  }
  return redactor(undefined);
}

/** Adds `more` into `counts`. */
export function addCounts(counts: RedactionCounts, more: RedactionCounts): void {
  for (const [type, n] of more) counts.set(type, (counts.get(type) ?? 0) + n);
}
