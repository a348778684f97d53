// OTLP/JSON: JSON.parse, then a walk driven by the same schema as the binary codec (schema.ts),
// producing the trees wire.ts describes. OTLP's deviations from proto3 JSON (opentelemetry-proto
// docs/specification.md, "JSON Protobuf Encoding"): ids are hex, not base64; int64s are strings or
// numbers; enums integers or names; doubles may be "NaN"/"Infinity"/"-Infinity"; null is absent;
// unknown keys are ignored; snake_case keys are accepted beside lowerCamelCase, as the Collector does.
// protobufjs's fromObject is not used: it expects base64 ids and rejects nothing.
import protobuf from 'protobufjs';
import { OtlpDecodeError } from './decode-error.ts';

type FieldKind =
  | 'string'
  | 'bool'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'double'
  | 'enum'
  | 'hexId'
  | 'bytes'
  | 'message';

interface FieldPlan {
  /** The proto name: the key in the decoded tree. */
  name: string;
  kind: FieldKind;
  repeated: boolean;
  message: MessagePlan | null;
  enumValues: Readonly<Record<string, number>> | null;
}

interface MessagePlan {
  /** Both spellings of every field name -> its plan (a null-prototype object). */
  fieldsByKey: Record<string, FieldPlan | undefined>;
}

const SCALAR_KINDS: Readonly<Record<string, FieldKind>> = {
  string: 'string',
  bool: 'bool',
  double: 'double',
  float: 'double',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  bytes: 'bytes',
};

/** The bytes fields OTLP/JSON writes as hex (Span, Link, LogRecord, Exemplar); other bytes are base64. */
const HEX_ID_FIELDS = new Set(['trace_id', 'span_id', 'parent_span_id']);

/** Same bound as protobufjs's Reader.recursionLimit, so both codecs accept the same nesting. */
const MAX_DEPTH = protobuf.Reader.recursionLimit;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A type mismatch somewhere in the tree; `path` grows while the error rises through the walk. */
class JsonShapeError extends Error {
  path = '';
}

/** Parses `body` as OTLP/JSON for `type`; an unusable body is an OtlpDecodeError naming the spot. */
export function readJson(type: protobuf.Type, body: Uint8Array): unknown {
  let text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark, from some editors
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new OtlpDecodeError(`malformed JSON: ${reason}`, { cause: err });
  }
  if (!isObject(parsed)) throw new OtlpDecodeError(`${type.name} must be a JSON object, got ${describe(parsed)}`);
  try {
    return readMessage(planFor(type), parsed, 0);
  } catch (err) {
    if (err instanceof JsonShapeError) throw new OtlpDecodeError(`invalid ${type.name}: ${err.path}: ${err.message}`);
    throw err;
  }
}

const plans = new Map<protobuf.Type, MessagePlan>();

function planFor(type: protobuf.Type): MessagePlan {
  const known = plans.get(type);
  if (known !== undefined) return known;
  const plan: MessagePlan = { fieldsByKey: Object.create(null) as MessagePlan['fieldsByKey'] };
  plans.set(type, plan); // before the fields: AnyValue and ArrayValue refer to each other
  for (const field of type.fieldsArray) {
    field.resolve();
    const resolved = field.resolvedType;
    const fieldPlan: FieldPlan = {
      name: field.name,
      kind: kindOf(field),
      repeated: field.repeated,
      message: resolved instanceof protobuf.Type ? planFor(resolved) : null,
      enumValues: resolved instanceof protobuf.Enum ? resolved.values : null,
    };
    plan.fieldsByKey[field.jsonName] = fieldPlan;
    plan.fieldsByKey[field.name] = fieldPlan;
  }
  return plan;
}

function kindOf(field: protobuf.Field): FieldKind {
  if (field.resolvedType instanceof protobuf.Type) return 'message';
  if (field.resolvedType instanceof protobuf.Enum) return 'enum';
  const kind = SCALAR_KINDS[field.type];
  if (kind === undefined) throw new Error(`schema.ts: field ${field.fullName} has unsupported type ${field.type}`);
  return kind === 'bytes' && HEX_ID_FIELDS.has(field.name) ? 'hexId' : kind;
}

function readMessage(plan: MessagePlan, obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new JsonShapeError(`nested deeper than ${MAX_DEPTH} messages`);
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    const field = plan.fieldsByKey[key];
    if (field === undefined) continue; // unknown fields must be ignored
    const value = obj[key];
    if (value === null) continue; // null means absent
    try {
      out[field.name] = field.repeated ? readList(field, value, depth) : readValue(field, value, depth);
    } catch (err) {
      throw atPath(err, key);
    }
  }
  return out;
}

function readList(field: FieldPlan, value: unknown, depth: number): unknown[] {
  if (!Array.isArray(value)) throw new JsonShapeError(`expected an array, got ${describe(value)}`);
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      out[i] = readValue(field, value[i], depth);
    } catch (err) {
      throw atPath(err, `[${i}]`);
    }
  }
  return out;
}

function readValue(field: FieldPlan, v: unknown, depth: number): unknown {
  switch (field.kind) {
    case 'message':
      if (isObject(v)) return readMessage(field.message!, v, depth + 1);
      throw new JsonShapeError(`expected an object, got ${describe(v)}`);
    case 'string':
    case 'hexId': // checked by the record builders, which reject just the item
      if (typeof v === 'string') return v;
      throw new JsonShapeError(`expected a string, got ${describe(v)}`);
    case 'bool':
      if (typeof v === 'boolean') return v;
      throw new JsonShapeError(`expected true or false, got ${describe(v)}`);
    case 'int32':
      return readInt32(v, INT32_MIN, INT32_MAX);
    case 'uint32':
      return readInt32(v, 0, UINT32_MAX);
    case 'int64':
      return readInt64(v, false);
    case 'uint64':
      return readInt64(v, true);
    case 'double':
      return readDouble(v);
    case 'enum':
      return readEnum(v, field.enumValues!);
    case 'bytes':
      return readBase64(v);
  }
}

function readInt32(v: unknown, min: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && isDecimalInteger(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  throw new JsonShapeError(`expected an integer from ${min} to ${max}, got ${describe(v)}`);
}

/** Numbers stay numbers (JSON.parse already rounded any beyond 2^53); strings become exact bigints. */
function readInt64(v: unknown, unsigned: boolean): number | bigint {
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (unsigned ? v >= 0 && v < 2 ** 64 : v >= -(2 ** 63) && v < 2 ** 63) return v;
  } else if (typeof v === 'string' && isDecimalInteger(v)) {
    const n = BigInt(v);
    if (unsigned ? n >= 0n && n <= UINT64_MAX : n >= INT64_MIN && n <= INT64_MAX) return n;
  }
  const type = unsigned ? 'a uint64' : 'an int64';
  throw new JsonShapeError(`expected ${type} as a decimal string or a number, got ${describe(v)}`);
}

function readDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v); // proto3 JSON allows numbers in strings
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new JsonShapeError(`expected a number, got ${describe(v)}`);
}

/** The spec says integers only; the Collector also takes names ("SPAN_KIND_CLIENT"), so do we. */
function readEnum(v: unknown, values: Readonly<Record<string, number>>): number {
  if (typeof v === 'string' && Object.hasOwn(values, v)) return values[v]!;
  // Enums are open: any int32 is kept, known or not.
  const n = typeof v === 'number' ? v : typeof v === 'string' && isDecimalInteger(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX) return n;
  throw new JsonShapeError(`expected one of ${Object.keys(values).join(', ')} or its number, got ${describe(v)}`);
}

/** Standard or URL-safe base64, padded or not (Node's decoder reads both alphabets). */
function readBase64(v: unknown): Buffer {
  if (typeof v === 'string' && BASE64.test(v) && v.replace(/=+$/, '').length % 4 !== 1) {
    return Buffer.from(v, 'base64');
  }
  throw new JsonShapeError(`expected base64, got ${describe(v)}`);
}

function isDecimalInteger(s: string): boolean {
  const start = s.charCodeAt(0) === 0x2d ? 1 : 0; // '-'
  if (s.length === start) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function atPath(err: unknown, segment: string): unknown {
  if (err instanceof JsonShapeError) {
    err.path = err.path === '' ? segment : err.path.startsWith('[') ? segment + err.path : `${segment}.${err.path}`;
  }
  return err;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return String(v);
}
