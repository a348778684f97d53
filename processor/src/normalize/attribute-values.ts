// Typed reads of OTLP attribute values. Instrumentations disagree on types (an int64 may arrive
// as a decimal string, a structured value as a JSON string), so every adapter reads through these.
import type { AttributeValue } from '../otlp/records.ts';

export type AttributeObject = { [key: string]: AttributeValue };

export function isObject(value: AttributeValue | undefined): value is AttributeObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or null. Numbers and booleans are not converted: an id is a string. */
export function stringOf(value: AttributeValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A finite number, also from a numeric string (int64 beyond 2^53 arrives as a decimal string). */
export function numberOf(value: AttributeValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A token count: a non-negative integer, else null (unknown). */
export function countOf(value: AttributeValue | undefined): number | null {
  const n = numberOf(value);
  return n !== null && n >= 0 && Number.isInteger(n) ? n : null;
}

/**
 * The structured value behind an attribute that may be a JSON string ("on spans MAY be a JSON
 * string", semconv v1.41 docs/gen-ai/gen-ai-spans.md). Strings not starting like a JSON object or
 * array are returned unchanged, so plain text stays text; so is a string that fails to parse.
 */
export function structuredOf(value: AttributeValue | undefined): AttributeValue {
  if (value === undefined) return null;
  if (typeof value !== 'string') return value;
  const first = value.trimStart()[0];
  if (first !== '{' && first !== '[') return value;
  try {
    return JSON.parse(value) as AttributeValue;
  } catch {
    return value;
  }
}

/** A list of non-empty strings from a string[] attribute, a JSON string of one, or a single string. */
export function stringListOf(value: AttributeValue | undefined): string[] | null {
  const structured = structuredOf(value);
  if (typeof structured === 'string') return structured === '' ? null : [structured];
  if (!Array.isArray(structured)) return null;
  const list: string[] = [];
  for (const item of structured) {
    if (typeof item === 'string' && item !== '') list.push(item);
    else if (typeof item === 'number') list.push(String(item));
  }
  return list.length > 0 ? list : null;
}
