// A knowledge source's content split into sections, each of which becomes one knowledge item:
// markdown by headings, JSON by array entries or object keys, plain text by paragraphs. A
// section's key says where it is in the document, so an edit of one section changes only that
// section's item. Pure: text in, sections out.

export type SourceFormat = 'markdown' | 'json' | 'text';

export interface Section {
  /** Where the section is: `source:` and the heading path ("Returns > Refunds"), JSON path or first line. */
  key: string;
  content: string;
}

/** A document that does not parse as its format says (JSON that is not JSON). */
export class SourceFormatError extends Error {
  override name = 'SourceFormatError';
}

const KEY_PREFIX = 'source:';
/** Keys past this length are cut (a paragraph's first line can be long). */
const MAX_KEY_CHARS = 200;

/**
 * The format of a document: from its Content-Type where it says (markdown, JSON, plain text),
 * else from the URI's extension (.md, .markdown, .json, .txt), else JSON when it parses as an
 * object or array, markdown when a line is an ATX heading, plain text otherwise.
 */
export function formatOf(uri: string, contentType: string | null, body: string): SourceFormat {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/markdown' || type === 'text/x-markdown') return 'markdown';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  const path = pathOf(uri).toLowerCase();
  if (path.endsWith('.md') || path.endsWith('.markdown')) return 'markdown';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.txt')) return 'text';
  const start = body.trimStart()[0];
  if (start === '{' || start === '[') {
    try {
      JSON.parse(body);
      return 'json';
    } catch {
      // not JSON after all: markdown or text
    }
  }
  return body.split(/\r?\n/).some((line) => HEADING.test(line)) ? 'markdown' : 'text';
}

function pathOf(uri: string): string {
  try {
    return new URL(uri).pathname;
  } catch {
    return uri;
  }
}

/** Splits a document into sections by its format; keys are unique (a repeated one gets " (2)", " (3)"). */
export function splitContent(body: string, format: SourceFormat): Section[] {
  const raw = format === 'markdown' ? splitMarkdown(body) : format === 'json' ? splitJson(body) : splitText(body);
  return uniqueKeys(raw.filter((s) => s.content !== ''));
}

function uniqueKeys(sections: readonly Section[]): Section[] {
  const seen = new Map<string, number>();
  return sections.map((s) => {
    const n = (seen.get(s.key) ?? 0) + 1;
    seen.set(s.key, n);
    return n === 1 ? s : { key: `${s.key} (${n})`, content: s.content };
  });
}

function keyOf(path: string): string {
  const key = `${KEY_PREFIX}${path.replace(/\s+/g, ' ').trim()}`;
  return key.length > MAX_KEY_CHARS ? key.slice(0, MAX_KEY_CHARS) : key;
}

/** An ATX heading (CommonMark: up to three spaces of indent, 1-6 `#`, a space or the end). */
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Markdown by ATX headings: a section is the text under a heading up to the next heading of any
 * level, keyed by the path of headings above it ("Shipping > Returns"). Text before the first
 * heading is keyed "(preamble)"; headings inside fenced code blocks are text. A heading with no
 * text of its own (only subsections) yields no section.
 */
function splitMarkdown(body: string): Section[] {
  const sections: Section[] = [];
  const path: string[] = [];
  let current = { key: keyOf('(preamble)'), lines: [] as string[] };
  let fence: string | null = null;
  const flush = () => sections.push({ key: current.key, content: current.lines.join('\n').trim() });
  for (const line of body.split(/\r?\n/)) {
    const opening = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length) fence = null;
      current.lines.push(line);
      continue;
    }
    if (opening !== undefined) {
      fence = opening;
      current.lines.push(line);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading === null) {
      current.lines.push(line);
      continue;
    }
    flush();
    const level = (heading[1] as string).length;
    path.length = Math.min(path.length, level - 1);
    while (path.length < level - 1) path.push('');
    path.push((heading[2] ?? '').trim());
    current = { key: keyOf(path.filter((p) => p !== '').join(' > ')), lines: [] };
  }
  flush();
  return sections;
}

/** The fields that name an array entry, first found wins (else the entry's index). */
const NAME_FIELDS = ['id', 'key', 'name', 'title', 'question'] as const;

/**
 * JSON: an array's entries (keyed by their `id`, `key`, `name`, `title` or `question` field
 * where it is a string or number, else by index: `[3]`), an object's keys (keyed by the key), or
 * one section for a scalar. The content is a string value as it is, anything else as
 * indented JSON.
 */
function splitJson(body: string): Section[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new SourceFormatError(`the source is not valid JSON: ${(error as Error).message}`);
  }
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : JSON.stringify(v, null, 2));
  if (Array.isArray(value)) {
    return value.map((entry, index) => {
      const named = typeof entry === 'object' && entry !== null ? NAME_FIELDS.map((f) => (entry as Record<string, unknown>)[f]).find((v) => typeof v === 'string' || typeof v === 'number') : undefined;
      return { key: keyOf(named === undefined ? `[${index}]` : String(named)), content: text(entry) };
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).map(([k, v]) => ({ key: keyOf(k), content: text(v) }));
  }
  return [{ key: keyOf('(value)'), content: text(value) }];
}

/** Plain text by paragraphs (blank lines between), each keyed by its first line. */
function splitText(body: string): Section[] {
  return body
    .split(/\r?\n[ \t]*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => ({ key: keyOf(p.split(/\r?\n/)[0] as string), content: p }));
}
