import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTraces } from '../src/otlp/decode.ts';
import type { Attributes } from '../src/otlp/records.ts';
import { otlpTypes } from '../src/otlp/schema.ts';

const TRACE_ID = 'ab'.repeat(16);
const SPAN_ID = 'cd'.repeat(8);

/** The attributes of a one-span request sent as OTLP/JSON. */
function fromJson(attributes: unknown[]): Attributes {
  const body = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, attributes }] }] }] };
  const decoded = decodeTraces(new TextEncoder().encode(JSON.stringify(body)), 'json');
  assert.deepStrictEqual(decoded.rejections, []);
  return decoded.items[0]!.attributes;
}

/** The attributes of a one-span request sent as protobuf (proto field names, as protobufjs takes them). */
function fromProtobuf(attributes: unknown[]): Attributes {
  const span = { trace_id: Buffer.from(TRACE_ID, 'hex'), span_id: Buffer.from(SPAN_ID, 'hex'), attributes };
  const body = otlpTypes.traceRequest.encode({ resource_spans: [{ scope_spans: [{ spans: [span] }] }] }).finish();
  const decoded = decodeTraces(body, 'protobuf');
  assert.deepStrictEqual(decoded.rejections, []);
  return decoded.items[0]!.attributes;
}

describe('attribute values (AnyValue -> AttributeValue)', () => {
  it('maps every AnyValue kind the same way from both encodings', () => {
    const expected = {
      s: 'text',
      empty_string: '',
      t: true,
      f: false,
      i: 42,
      zero: 0,
      neg: -42,
      d: 1.25,
      bytes: 'AP8Q',
      list: ['a', 1, null, [true]],
      map: { inner: { x: 'y' }, n: 1.5 },
      empty_list: [],
      empty_map: {},
      nothing: null,
      no_value: null,
    };
    const viaJson = fromJson([
      { key: 's', value: { stringValue: 'text' } },
      { key: 'empty_string', value: { stringValue: '' } },
      { key: 't', value: { boolValue: true } },
      { key: 'f', value: { boolValue: false } },
      { key: 'i', value: { intValue: '42' } },
      { key: 'zero', value: { intValue: 0 } },
      { key: 'neg', value: { intValue: -42 } },
      { key: 'd', value: { doubleValue: 1.25 } },
      { key: 'bytes', value: { bytesValue: 'AP8Q' } },
      {
        key: 'list',
        value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}, { arrayValue: { values: [{ boolValue: true }] } }] } },
      },
      {
        key: 'map',
        value: {
          kvlistValue: {
            values: [
              { key: 'inner', value: { kvlistValue: { values: [{ key: 'x', value: { stringValue: 'y' } }] } } },
              { key: 'n', value: { doubleValue: 1.5 } },
            ],
          },
        },
      },
      { key: 'empty_list', value: { arrayValue: {} } },
      { key: 'empty_map', value: { kvlistValue: { values: [] } } },
      { key: 'nothing', value: {} },
      { key: 'no_value' },
    ]);
    const viaProtobuf = fromProtobuf([
      { key: 's', value: { string_value: 'text' } },
      { key: 'empty_string', value: { string_value: '' } },
      { key: 't', value: { bool_value: true } },
      { key: 'f', value: { bool_value: false } },
      { key: 'i', value: { int_value: 42 } },
      { key: 'zero', value: { int_value: 0 } },
      { key: 'neg', value: { int_value: -42 } },
      { key: 'd', value: { double_value: 1.25 } },
      { key: 'bytes', value: { bytes_value: Buffer.from([0x00, 0xff, 0x10]) } },
      {
        key: 'list',
        value: {
          array_value: { values: [{ string_value: 'a' }, { int_value: 1 }, {}, { array_value: { values: [{ bool_value: true }] } }] },
        },
      },
      {
        key: 'map',
        value: {
          kvlist_value: {
            values: [
              { key: 'inner', value: { kvlist_value: { values: [{ key: 'x', value: { string_value: 'y' } }] } } },
              { key: 'n', value: { double_value: 1.5 } },
            ],
          },
        },
      },
      { key: 'empty_list', value: { array_value: {} } },
      { key: 'empty_map', value: { kvlist_value: {} } },
      { key: 'nothing', value: {} },
      { key: 'no_value' },
    ]);
    assert.deepStrictEqual(viaJson, expected);
    assert.deepStrictEqual(viaProtobuf, expected);
  });

  it('keeps int64 beyond Number.MAX_SAFE_INTEGER as exact decimal strings', () => {
    const values = ['9007199254740991', '9007199254740992', '-9007199254740993', '9223372036854775807', '-9223372036854775808'];
    const expected = {
      a: 9007199254740991,
      b: '9007199254740992',
      c: '-9007199254740993',
      d: '9223372036854775807',
      e: '-9223372036854775808',
    };
    const keys = Object.keys(expected);
    assert.deepStrictEqual(fromJson(values.map((v, i) => ({ key: keys[i], value: { intValue: v } }))), expected);
    assert.deepStrictEqual(fromProtobuf(values.map((v, i) => ({ key: keys[i], value: { int_value: v } }))), expected);
  });

  it('lets the last of duplicate keys win, in both encodings', () => {
    assert.deepStrictEqual(
      fromJson([
        { key: 'k', value: { stringValue: 'first' } },
        { key: 'other', value: { intValue: 1 } },
        { key: 'k', value: { stringValue: 'last' } },
      ]),
      { k: 'last', other: 1 },
    );
    assert.deepStrictEqual(
      fromProtobuf([
        { key: 'k', value: { string_value: 'first' } },
        { key: 'other', value: { int_value: 1 } },
        { key: 'k', value: { string_value: 'last' } },
      ]),
      { k: 'last', other: 1 },
    );
  });

  it('stores a "__proto__" key as an ordinary key, without touching the prototype', () => {
    for (const attributes of [
      fromJson([{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }]),
      fromProtobuf([{ key: '__proto__', value: { kvlist_value: { values: [{ key: 'polluted', value: { bool_value: true } }] } } }]),
    ]) {
      assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
      assert.deepStrictEqual(Object.keys(attributes), ['__proto__']);
      assert.deepStrictEqual(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value, { polluted: true });
      assert.equal((attributes as { polluted?: unknown }).polluted, undefined);
    }
  });

  it('builds repeated key lists exactly, each record with its own object (the key-list templates)', () => {
    const list = (keys: string[], value: (i: number) => unknown) => keys.map((key, i) => ({ key, value: value(i) }));
    const chat = ['gen_ai.operation.name', 'gen_ai.request.model', 'a', 'b', 'c'];
    const tool = ['gen_ai.operation.name', 'gen_ai.tool.name', 'a', 'b', 'c'];
    const withDuplicate = ['gen_ai.operation.name', 'x', 'y', 'x', '__proto__'];
    for (let round = 0; round < 3; round++) {
      const first = fromJson(list(chat, (i) => ({ intValue: round * 10 + i })));
      const n = round * 10;
      assert.deepStrictEqual({ ...first }, { 'gen_ai.operation.name': n, 'gen_ai.request.model': n + 1, a: n + 2, b: n + 3, c: n + 4 });
      first.extra = 'mutated by a consumer';
      const second = fromJson(list(tool, (i) => (i === 2 ? { arrayValue: { values: [{ stringValue: 'v' }] } } : { stringValue: `t${i}` })));
      assert.deepStrictEqual(second, { 'gen_ai.operation.name': 't0', 'gen_ai.tool.name': 't1', a: ['v'], b: 't3', c: 't4' });
      const third = fromProtobuf(list(withDuplicate, (i) => ({ int_value: i })));
      assert.deepStrictEqual(Object.keys(third), ['gen_ai.operation.name', 'x', 'y', '__proto__']);
      assert.deepStrictEqual({ ...third }, { 'gen_ai.operation.name': 0, x: 3, y: 2, ['__proto__']: 4 });
      assert.equal(Object.getPrototypeOf(third), Object.prototype);
    }
  });

  it('reads standard and URL-safe base64, padded or not, and answers standard base64', () => {
    assert.deepStrictEqual(
      fromJson([
        { key: 'standard', value: { bytesValue: '+/+/' } },
        { key: 'url_safe', value: { bytesValue: '-_-_' } },
        { key: 'unpadded', value: { bytesValue: 'AQI' } },
        { key: 'padded', value: { bytesValue: 'AQI=' } },
      ]),
      { standard: '+/+/', url_safe: '+/+/', unpadded: 'AQI=', padded: 'AQI=' },
    );
  });
});
