// The built-in detectors of personal data and secrets: for each type a candidate pattern and,
// where a pattern alone would catch lookalikes, a check of the candidate (a checksum, a digit
// count, an address parser). Pure: strings in, verdicts out.
import { isIPv6 } from 'node:net';

/** The placeholder types of the built-in detectors; custom patterns add their own names. */
export const BUILTIN_TYPES = ['SECRET', 'EMAIL', 'IBAN', 'CARD', 'IP', 'PHONE'] as const;
export type BuiltinType = (typeof BUILTIN_TYPES)[number];

export type RedactMode = 'off' | 'default' | 'strict';

export interface Detector {
  type: string;
  /** Global (`g`) pattern of candidates. */
  pattern: RegExp;
  /**
   * What replaces a candidate: the placeholder, a text keeping part of the match ("Bearer
   * [SECRET]"), or null when the candidate is a lookalike and stays.
   */
  replace(match: string, placeholder: string): string | null;
  /**
   * A cheap test a text must pass for the pattern to be worth running (an "@" for an email):
   * most attribute values are short names that pass none.
   */
  gate?(text: string): boolean;
  /** The high-entropy rule, which values of identifier attributes are exempt from. */
  entropy?: boolean;
}

const always = (_match: string, placeholder: string) => placeholder;

/** Luhn checksum (ISO/IEC 7812-1) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** IBAN check digits (ISO 13616: the rearranged number, letters as 10..35, mod 97 is 1). */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** Shannon entropy in bits per character. */
export function entropyOf(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Payment card issuer prefixes (IIN ranges of Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37,
 * Diners 30/36/38, JCB 35, Discover and UnionPay 6): a Luhn-valid number outside them (a
 * millisecond timestamp starting with 1, an ISBN-13 starting with 978) is not a card.
 */
function cardIssuer(digits: string): boolean {
  const first = digits[0];
  if (first === '4' || first === '6') return true;
  const two = Number(digits.slice(0, 2));
  if (two >= 51 && two <= 55) return true;
  if (two === 34 || two === 37 || two === 30 || two === 36 || two === 38 || two === 35) return true;
  const four = Number(digits.slice(0, 4));
  return four >= 2221 && four <= 2720;
}

const digitCount = (text: string) => text.replace(/\D/g, '').length;

/**
 * Provider API keys and tokens by their documented prefixes, bearer credentials, JWTs and PEM
 * private keys. The lookbehind keeps a prefix inside a longer word ("task-...") from matching.
 */
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const PROVIDER_SECRET = new RegExp(
  [
    String.raw`(?<![A-Za-z0-9_-])(?:` +
      [
        String.raw`sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, // OpenAI, Anthropic
        String.raw`gh[pousr]_[A-Za-z0-9]{36,}`, // GitHub classic tokens
        String.raw`github_pat_[A-Za-z0-9_]{22,}`, // GitHub fine-grained tokens
        String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`, // Slack
        String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}`, // AWS access key ids
        String.raw`AIza[0-9A-Za-z_-]{35}`, // Google API keys
        String.raw`glpat-[A-Za-z0-9_-]{20,}`, // GitLab
        String.raw`(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}`, // Stripe secret and restricted keys
        String.raw`npm_[A-Za-z0-9]{36}`, // npm
        String.raw`hf_[A-Za-z0-9]{30,}`, // Hugging Face
        String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JWT
      ].join('|') +
      ')',
  ].join('|'),
  'g',
);

/** `Bearer <token>` / `Basic <credentials>` as in an Authorization header: the scheme stays. */
const AUTH_SCHEME = /\b(Bearer|Basic) +([A-Za-z0-9._~+/-]{12,}=*)/g;
/** A credential has a digit, padding or an upper case letter after a lower case one; a word ("Basic troubleshooting") has none. */
const CREDENTIAL_LIKE = /\d|=|[a-z][A-Z]/;

/** `password=...`, `api_key: ...` and the like (strict): the name stays, the value goes. */
const ASSIGNED_SECRET = /\b((?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)["']?\s*[:=]\s*["']?)([^\s"',;&]{6,})/gi;

const ASSIGNED_NAME = new RegExp(ASSIGNED_SECRET.source, 'i');

/**
 * Prefixes of identifiers that providers hand out and that look random but are not
 * credentials: tool-call, completion, response and message ids. The entropy rule leaves them.
 */
const ID_PREFIXES = /^(?:call_|chatcmpl-|resp_|msg_|toolu_|run_|asst_|thread_|file_|fc_|req_|evt_|cmpl-)/;

/** A long token of mixed letters and digits (strict): a secret without a known prefix. */
const RANDOM_TOKEN = /(?<![A-Za-z0-9_+/=-])[A-Za-z0-9_+/=-]{24,}(?![A-Za-z0-9_+/=-])/g;

function looksRandom(token: string): boolean {
  if (ID_PREFIXES.test(token)) return false;
  // Hex (hashes, trace ids, UUIDs without dashes) never exceeds 4 bits per character; words and
  // identifiers lack the mix of cases and digits.
  if (/^[0-9a-fA-F-]+$/.test(token)) return false;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/\d/.test(token)) return false;
  return entropyOf(token) >= 4;
}

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])/g;

/** Country code, two check digits, then 11 to 30 letters and digits, compact or in groups of four. */
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![A-Za-z0-9])/g;

/**
 * 13 to 19 digits, compact or in the printed groups (4-4-4-4[-3], Amex 4-6-5), with one kind of
 * separator. Preceded by neither a digit nor a "+" (an international phone number).
 */
const CARD = /(?<![\d+.,-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\d]|[.,-]\d)/g;

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
/** A dotted quad not inside a longer dotted run (an OID, 1.2.3.4.5) nor after a "v" (v1.2.3.4). */
const IPV4 = new RegExp(String.raw`(?<![\w.])${OCTET}(?:\.${OCTET}){3}(?!\.?\d|\w)`, 'g');
/** Candidates: colon-separated hex groups, perhaps compressed (::), perhaps ending in a dotted quad. */
const IPV6 =
  /(?<![\w:.])(?:(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){1,6}:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:])/g;

function ipv6Address(candidate: string): boolean {
  // A time (12:30:45) or a MAC address is not valid IPv6; a valid one must have a digit, so
  // that words of hex letters around a "::" (dead::beef) stay.
  return isIPv6(candidate) && /\d/.test(candidate) && (candidate.includes('::') || candidate.split(':').length === 8);
}

/** +CC then groups of digits, with spaces, dots, dashes or a parenthesised area code: 8 to 15 digits (E.164). */
const PHONE_INTERNATIONAL = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}(?![\d])/g;
/**
 * National forms with separators: North American (415) 555-2671 / 415-555-2671 / 415.555.2671,
 * and trunk-prefix forms such as 030 1234567, 020 7946 0958, 06 12 34 56 78 (9 to 12 digits).
 */
const PHONE_NATIONAL =
  /(?<![\w.+/-]|\d[ ./-])(?:\(\d{3}\) ?\d{3}[ .-]\d{4}|[2-9]\d{2}([.-])\d{3}\1\d{4}|[2-9]\d{2} \d{3} \d{4}|\(?0\d{1,4}\)?([ /-])\d{2,8}(?:\2\d{2,8}){0,3}|0\d(?:\.\d{2}){4})(?![\w]|[ ./-]?\d)/g;
/** Strict: also compact national numbers with a trunk prefix (10 or 11 digits) and 7-digit local numbers (555-2671). */
const PHONE_NATIONAL_STRICT = /(?<![\w.+/-]|\d[ ./-])(?:0\d{9,10}|\d{3}-\d{4})(?![\w]|[.-]?\d)/g;

const FOUR_DIGITS = /\d{4}/;
const DIGIT = /\d/;
const IBAN_START = /[A-Z]{2}\d\d/;
const HEX_COLON = /::|[0-9A-Fa-f]:[0-9A-Fa-f]/;
const SECRET_PREFIX = /sk-|gh[pousr]_|github_pat_|xox|AKIA|ASIA|AIza|glpat-|_live_|_test_|npm_|hf_|eyJ/;

const phoneDigits = (min: number, max: number) => (match: string, placeholder: string) => {
  const n = digitCount(match);
  return n >= min && n <= max ? placeholder : null;
};

/** The detectors of a mode, in the order they run: secrets first, so a token's digits are never read as a card or phone. */
export function builtinDetectors(mode: Exclude<RedactMode, 'off'>): Detector[] {
  const strict = mode === 'strict';
  const detectors: (Detector | false)[] = [
    { type: 'SECRET', pattern: PRIVATE_KEY, gate: (t) => t.includes('PRIVATE KEY'), replace: always },
    { type: 'SECRET', pattern: PROVIDER_SECRET, gate: (t) => SECRET_PREFIX.test(t), replace: always },
    {
      type: 'SECRET',
      pattern: AUTH_SCHEME,
      gate: (t) => t.includes('Bearer') || t.includes('Basic'),
      replace: (match, placeholder) => {
        const [scheme, credential] = match.split(/ +/);
        return CREDENTIAL_LIKE.test(credential ?? '') ? `${scheme} ${placeholder}` : null;
      },
    },
    strict && {
      type: 'SECRET',
      pattern: ASSIGNED_SECRET,
      gate: (t) => t.includes('=') || t.includes(':'),
      replace: (match, placeholder) => `${ASSIGNED_NAME.exec(match)?.[1] ?? ''}${placeholder}`,
    },
    strict && { type: 'SECRET', entropy: true, pattern: RANDOM_TOKEN, gate: (t) => t.length >= 24 && DIGIT.test(t), replace: (match, placeholder) => (looksRandom(match) ? placeholder : null) },
    { type: 'EMAIL', pattern: EMAIL, gate: (t) => t.includes('@'), replace: always },
    { type: 'IBAN', pattern: IBAN, gate: (t) => IBAN_START.test(t), replace: (match, placeholder) => (ibanValid(match) ? placeholder : null) },
    {
      type: 'CARD',
      pattern: CARD,
      gate: (t) => FOUR_DIGITS.test(t),
      replace: (match, placeholder) => {
        const digits = match.replace(/\D/g, '');
        return cardIssuer(digits) && luhnValid(digits) ? placeholder : null;
      },
    },
    { type: 'IP', pattern: IPV6, gate: (t) => HEX_COLON.test(t), replace: (match, placeholder) => (ipv6Address(match) ? placeholder : null) },
    { type: 'IP', pattern: IPV4, gate: (t) => t.includes('.'), replace: always },
    { type: 'PHONE', pattern: PHONE_INTERNATIONAL, gate: (t) => t.includes('+'), replace: phoneDigits(8, 15) },
    { type: 'PHONE', pattern: PHONE_NATIONAL, gate: (t) => DIGIT.test(t), replace: phoneDigits(9, 12) },
    strict && { type: 'PHONE', pattern: PHONE_NATIONAL_STRICT, gate: (t) => DIGIT.test(t), replace: always },
  ];
  return detectors.filter((d): d is Detector => d !== false);
}
