// The custom patterns file (FLYWHEEL_REDACT_PATTERNS): a JSON object of placeholder name ->
// regular expression (JavaScript syntax), e.g. {"EMPLOYEE_ID": "\\bEMP-\\d{6}\\b"}; a match of
// EMPLOYEE_ID becomes [EMPLOYEE_ID]. Parsing is pure; the caller reads the file.
import { BUILTIN_TYPES } from './detectors.ts';
import type { CustomPattern } from './redactor.ts';

const NAME = /^[A-Z][A-Z0-9_]{0,39}$/;

/** A patterns file that cannot be used; the message names the file, the entry and the fix. */
export class RedactPatternsError extends Error {
  override name = 'RedactPatternsError';
}

/** Parses the file's text (`source` names it in errors) into patterns, in the file's order. */
export function parseRedactPatterns(text: string, source: string): CustomPattern[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RedactPatternsError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RedactPatternsError(`${source} must be a JSON object of NAME -> regular expression, e.g. {"EMPLOYEE_ID": "EMP-\\\\d{6}"}`);
  }
  const patterns: CustomPattern[] = [];
  for (const [name, source_] of Object.entries(parsed as Record<string, unknown>)) {
    if (!NAME.test(name)) throw new RedactPatternsError(`${source}: pattern name '${name}' must be upper case letters, digits and _ (at most 40), starting with a letter`);
    if ((BUILTIN_TYPES as readonly string[]).includes(name)) throw new RedactPatternsError(`${source}: pattern name '${name}' is a built-in type; choose another name`);
    if (typeof source_ !== 'string' || source_ === '') throw new RedactPatternsError(`${source}: pattern ${name} must be a non-empty string`);
    let pattern: RegExp;
    try {
      pattern = new RegExp(source_, 'gu');
    } catch (error) {
      throw new RedactPatternsError(`${source}: pattern ${name} is not a valid regular expression: ${(error as Error).message}`);
    }
    if (pattern.test('')) throw new RedactPatternsError(`${source}: pattern ${name} matches the empty string`);
    patterns.push({ name, pattern });
  }
  return patterns;
}
