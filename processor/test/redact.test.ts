import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { entropyOf, ibanValid, luhnValid } from '../src/redact/detectors.ts';
import { loadRedactor } from '../src/service.ts';
import {
  createRedactor,
  parseRedactPatterns,
  redactLogs,
  redactMetricPoints,
  redactSpans,
  RedactPatternsError,
  type RedactionCounts,
} from '../src/redact/index.ts';
import type { LogRecord, MetricPointRecord, ResourceRecord, ScopeRecord, SpanRecord } from '../src/otlp/records.ts';

const standard = createRedactor({ mode: 'default' });
const strict = createRedactor({ mode: 'strict' });

/** Redacts `text` and returns the result and the counts as a plain object. */
function run(text: string, redactor = standard): { text: string; counts: Record<string, number> } {
  const counts: RedactionCounts = new Map();
  const out = redactor.text(text, counts);
  return { text: out, counts: Object.fromEntries(counts) };
}

function redacts(cases: [string, string][], redactor = standard): void {
  for (const [input, expected] of cases) assert.equal(run(input, redactor).text, expected, `input: ${input}`);
}

function keeps(inputs: string[], redactor = standard): void {
  for (const input of inputs) assert.deepEqual(run(input, redactor), { text: input, counts: {} }, `input: ${input}`);
}

test('the checksums: Luhn, IBAN mod 97, entropy', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('DE89370400440532013001'), false);
  assert.equal(ibanValid('GB82 WEST 1234 5698 7654 32'), true);
  assert.equal(entropyOf('aaaa'), 0);
  assert.equal(entropyOf('abcd'), 2);
});

test('email addresses become [EMAIL], counted once each', () => {
  assert.deepEqual(run('write to jane.doe+ai@example.co.uk or ops@mail.example.com.'), {
    text: 'write to [EMAIL] or [EMAIL].',
    counts: { EMAIL: 2 },
  });
  redacts([
    ['<JANE_DOE@EXAMPLE.ORG>', '<[EMAIL]>'],
    ['mailto:a.b@c-d.io', 'mailto:[EMAIL]'],
  ]);
});

test('email lookalikes stay: scoped packages, versions, handles, hosts without a top-level domain', () => {
  keeps(['npm i @agent-flywheel/instrumentation', 'openai@7.0.1', 'ping @jane on chat', 'root@localhost', 'user@192.168.0.1x']);
});

test('international phone numbers become [PHONE]', () => {
  redacts([
    ['call +1 415 555 2671 now', 'call [PHONE] now'],
    ['+44 20 7946 0958', '[PHONE]'],
    ['+49 (0)30 1234567', '[PHONE]'],
    ['tel:+14155552671', 'tel:[PHONE]'],
    ['+33 6 12 34 56 78', '[PHONE]'],
    ['+91-98765-43210', '[PHONE]'],
  ]);
});

test('national phone numbers with separators become [PHONE] in default mode', () => {
  redacts([
    ['(415) 555-2671', '[PHONE]'],
    ['415-555-2671', '[PHONE]'],
    ['415.555.2671', '[PHONE]'],
    ['030 1234567', '[PHONE]'],
    ['020 7946 0958', '[PHONE]'],
    ['06 12 34 56 78', '[PHONE]'],
    ['06.12.34.56.78', '[PHONE]'],
    ['089/12345678', '[PHONE]'],
  ]);
});

test('compact national numbers and 7-digit local numbers are redacted in strict mode only', () => {
  keeps(['0612345678', 'ext. 555-2671']);
  redacts(
    [
      ['0612345678', '[PHONE]'],
      ['ext. 555-2671', 'ext. [PHONE]'],
    ],
    strict,
  );
});

test('phone lookalikes stay: dates, times, ISBNs, order ids, short numbers, math', () => {
  keeps([
    '2026-12-03',
    '03.12.2026',
    '03/12/2026 14:05',
    '2026-12-03T14:00:06.123Z',
    'ISBN 0-306-40615-2',
    'ISBN 978-3-16-148410-0',
    'order ORD-2024-000123456',
    'order #0001234',
    'room 101, floor 3',
    '+3 points',
    '1,234,567.89',
  ]);
});

test('Luhn-valid card numbers become [CARD], compact or grouped', () => {
  redacts([
    ['card 4111111111111111 exp 12/27', 'card [CARD] exp 12/27'],
    ['4111 1111 1111 1111', '[CARD]'],
    ['5500-0000-0000-0004', '[CARD]'],
    ['amex 3782 822463 10005', 'amex [CARD]'],
    ['6011000990139424', '[CARD]'],
    ['2223003122003222', '[CARD]'],
  ]);
  assert.deepEqual(run('4111111111111111 and 5555555555554444').counts, { CARD: 2 });
});

test('card lookalikes stay: numbers failing Luhn, outside the issuer ranges, timestamps, inside longer digit runs', () => {
  keeps([
    'order 4111111111111112',
    'order 5500 0000 0000 0005',
    'ts 1733234567890',
    'ns 1733234567890123456',
    'id 9999999999999995',
    '14111111111111111111111',
    'ISBN 9783161484100',
    '4111 1111-1111 1111',
  ]);
});

test('IBANs with valid check digits become [IBAN], compact or grouped', () => {
  redacts([
    ['IBAN DE89370400440532013000.', 'IBAN [IBAN].'],
    ['GB82 WEST 1234 5698 7654 32', '[IBAN]'],
    ['FR1420041010050500013M02606', '[IBAN]'],
  ]);
});

test('IBAN lookalikes stay: a wrong check digit, lower case, product codes', () => {
  keeps(['DE89370400440532013001', 'de89370400440532013000', 'SKU AB12CDEFGHIJKLMNOP']);
});

test('provider API keys and tokens become [SECRET]', () => {
  const samples = [
    'sk-abcdefghijklmnopqrstuvwxyz012345',
    'sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789',
    'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123',
    `ghp_${'a1B2'.repeat(9)}`,
    `gho_${'Z9y8'.repeat(9)}`,
    `github_pat_11ABCDEFG0123456789_${'x'.repeat(30)}`,
    'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    'AKIAIOSFODNN7EXAMPLE',
    'AIzaSyA1234567890abcdefghijklmnopqrstuv',
    'glpat-abcdefghij0123456789',
    'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ];
  for (const secret of samples) assert.deepEqual(run(`key=${secret};`), { text: 'key=[SECRET];', counts: { SECRET: 1 } }, secret);
  redacts([
    ['Authorization: Bearer abc.DEF-123_456~xyz/789+', 'Authorization: Bearer [SECRET]'],
    ['Basic dXNlcjpwYXNzd29yZA==', 'Basic [SECRET]'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', '[SECRET]'],
  ]);
});

test('secret lookalikes stay in default mode: prefixes inside words, short tokens, ids, hashes', () => {
  keeps([
    'task-abcdefghijklmnopqrstuvwxyz0123',
    'sk-short',
    'the Bearer of bad news',
    'Basic troubleshooting steps',
    'Basic Configuration guide',
    'Bearer authentication explained',
    'AKIA is a prefix',
    'call_Ab12Cd34Ef56Gh78Ij90Kl12',
    'https://github.com/o/r/commit/3f786850e387550fdab836ed7e6dc881de23001b',
    'api_key=Zx81Qp0vLm73Nb2k',
  ]);
});

test('strict mode also redacts high-entropy tokens and key=value secrets', () => {
  redacts(
    [
      ['token Zx81Qp0vLm73Nb2kR5tY9wE4uI6oP1aS done', 'token [SECRET] done'],
      ['api_key=Zx81Qp0vLm73Nb2k', 'api_key=[SECRET]'],
      ['password: "hunter2!"', 'password: "[SECRET]"'],
    ],
    strict,
  );
});

test('strict mode keeps what only looks random: hex hashes, UUIDs, trace ids, provider ids, words', () => {
  keeps(
    [
      'sha 3f786850e387550fdab836ed7e6dc881de23001b',
      'https://example.com/assets/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/app.js',
      'uuid 123e4567-e89b-12d3-a456-426614174000',
      'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7',
      'chatcmpl-AbC123dEf456GhI789jKl012MnO',
      'call_Ab12Cd34Ef56Gh78Ij90Kl12',
      'ThisIsAVeryLongCamelCaseIdentifierName',
      'gpt-4o-mini-2024-07-18',
    ],
    strict,
  );
});

test('IPv4 and IPv6 addresses become [IP]', () => {
  redacts([
    ['from 192.168.1.10 to 10.0.0.1', 'from [IP] to [IP]'],
    ['http://203.0.113.7:8080/x', 'http://[IP]:8080/x'],
    ['2001:db8::ff00:42:8329', '[IP]'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '[IP]'],
    ['[::1]:4318', '[[IP]]:4318'],
    ['fe80::1%eth0', '[IP]%eth0'],
    ['::ffff:192.0.2.1', '[IP]'],
  ]);
});

test('IP lookalikes stay: versions with a v or more parts, three-part versions, OIDs, times, MACs, C++ scopes', () => {
  keeps([
    'v1.2.3.4',
    'version 1.2.3',
    '1.2.3.4.5',
    'OID 1.3.6.1.4.1.311',
    '999.1.1.1',
    '14:00:06',
    'mac 00:1a:2b:3c:4d:5e',
    'std::vector<int>',
    'dead::beef',
  ]);
});

test('a bare dotted quad is an address, whatever it stands for', () => {
  assert.equal(run('release 1.2.3.4').text, 'release [IP]');
});

test('values in JSON text are found through escapes, and the JSON stays valid', () => {
  const messages = JSON.stringify([
    { role: 'user', parts: [{ type: 'text', content: 'Hi,\nmail me at jane@example.com\nor call +1 415 555 2671' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', arguments: JSON.stringify({ to: 'bob@example.org', card: '4111111111111111' }) }] },
  ]);
  const { text, counts } = run(messages);
  const parsed = JSON.parse(text) as { parts: { content?: string; arguments?: string }[] }[];
  assert.equal(parsed[0]!.parts[0]!.content, 'Hi,\nmail me at [EMAIL]\nor call [PHONE]');
  assert.deepEqual(JSON.parse(parsed[1]!.parts[0]!.arguments!), { to: '[EMAIL]', card: '[CARD]' });
  assert.deepEqual(counts, { EMAIL: 2, PHONE: 1, CARD: 1 });
  assert.equal(run('{"a":"x\\u0040example.com"}').text, '{"a":"[EMAIL]"}');
  assert.equal(run('{"a":"nothing here\\n"}').text, '{"a":"nothing here\\n"}');
});

test('custom patterns run first and leave [NAME]; they apply with the built-in detectors off too', () => {
  const custom = parseRedactPatterns('{"EMPLOYEE_ID": "\\\\bEMP-\\\\d{6}\\\\b", "PROJECT": "Project (?:Falcon|Osprey)"}', 'patterns.json');
  const redactor = createRedactor({ mode: 'default', custom });
  assert.deepEqual(run('EMP-123456 on Project Falcon, jane@example.com', redactor), {
    text: '[EMPLOYEE_ID] on [PROJECT], [EMAIL]',
    counts: { EMPLOYEE_ID: 1, PROJECT: 1, EMAIL: 1 },
  });
  const only = createRedactor({ mode: 'off', custom });
  assert.equal(only.enabled, true);
  assert.equal(run('EMP-123456 jane@example.com', only).text, '[EMPLOYEE_ID] jane@example.com');
});

test('a patterns file that cannot be used is refused with the reason', () => {
  const cases: [string, RegExp][] = [
    ['not json', /patterns\.json is not JSON/],
    ['["EMP"]', /must be a JSON object of NAME -> regular expression/],
    ['{"employee": "x"}', /pattern name 'employee' must be upper case/],
    ['{"EMAIL": "x"}', /'EMAIL' is a built-in type/],
    ['{"X": 3}', /pattern X must be a non-empty string/],
    ['{"X": "("}', /pattern X is not a valid regular expression/],
    ['{"X": "a*"}', /pattern X matches the empty string/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseRedactPatterns(text, 'patterns.json'), (e: Error) => e instanceof RedactPatternsError && message.test(e.message), text);
});

test('off leaves every value as it is', () => {
  const off = createRedactor({ mode: 'off' });
  assert.equal(off.enabled, false);
  assert.equal(off.text('jane@example.com', new Map()), 'jane@example.com');
});

test('attribute values are redacted inside arrays and kvlists; identifier keys skip only the entropy rule', () => {
  const counts: RedactionCounts = new Map();
  const out = strict.attributes(
    {
      'user.email': 'jane@example.com',
      'gen_ai.response.id': 'Zx81Qp0vLm73Nb2kR5tY9wE4uI6oP1aS',
      'user.id': 'jane@example.com',
      note: 'Zx81Qp0vLm73Nb2kR5tY9wE4uI6oP1aS',
      list: ['10.0.0.1', 2, true, null],
      map: { nested: { ip: '::1' } },
    },
    counts,
  );
  assert.deepEqual(out, {
    'user.email': '[EMAIL]',
    'gen_ai.response.id': 'Zx81Qp0vLm73Nb2kR5tY9wE4uI6oP1aS',
    'user.id': '[EMAIL]',
    note: '[SECRET]',
    list: ['[IP]', 2, true, null],
    map: { nested: { ip: '[IP]' } },
  });
  assert.deepEqual(Object.fromEntries(counts), { EMAIL: 2, SECRET: 1, IP: 2 });
});

const resource: ResourceRecord = { attributes: { 'host.ip': '10.1.2.3', 'service.name': 'agent' }, droppedAttributesCount: 0, schemaUrl: '' };
const scope: ScopeRecord = { name: 'lib', version: '1.0.0', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };

function span(id: string): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: id,
    parentSpanId: null,
    traceState: '',
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes: { 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"I am jane@example.com"}]}]' },
    droppedAttributesCount: 0,
    events: [{ timeUnixNano: 1n, name: 'gen_ai.user.message', attributes: { content: 'call +1 415 555 2671' }, droppedAttributesCount: 0 }],
    droppedEventsCount: 0,
    links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceState: '', attributes: { why: 'from 10.0.0.9' }, droppedAttributesCount: 0, flags: 0 }],
    droppedLinksCount: 0,
    status: { code: 2, message: 'card 4111111111111111 declined' },
    flags: 0,
    resource,
    scope,
  };
}

test('spans: attributes, events, links and status message are redacted; ids and names kept; a shared resource counted once', () => {
  const counts: RedactionCounts = new Map();
  const [a, b] = redactSpans(standard, [span('00f067aa0ba902b7'), span('00f067aa0ba902b8')], counts);
  assert.equal(a!.attributes['gen_ai.input.messages'], '[{"role":"user","parts":[{"type":"text","content":"I am [EMAIL]"}]}]');
  assert.deepEqual(a!.events[0]!.attributes, { content: 'call [PHONE]' });
  assert.deepEqual(a!.links[0]!.attributes, { why: 'from [IP]' });
  assert.deepEqual(a!.status, { code: 2, message: 'card [CARD] declined' });
  assert.deepEqual(a!.resource.attributes, { 'host.ip': '[IP]', 'service.name': 'agent' });
  assert.equal(a!.resource, b!.resource);
  assert.equal(a!.name, 'chat gpt-4o');
  assert.equal(b!.spanId, '00f067aa0ba902b8');
  assert.deepEqual(Object.fromEntries(counts), { EMAIL: 2, PHONE: 2, IP: 3, CARD: 2 });
});

test('log records: body (any value) and attributes are redacted', () => {
  const log: LogRecord = {
    timeUnixNano: 1n,
    observedTimeUnixNano: 1n,
    severityNumber: 9,
    severityText: 'INFO',
    body: { content: 'IBAN DE89370400440532013000', role: 'user' },
    attributes: { 'gen_ai.evaluation.explanation': 'user jane@example.com was happy' },
    droppedAttributesCount: 0,
    flags: 0,
    traceId: null,
    spanId: null,
    eventName: 'gen_ai.user.message',
    resource,
    scope,
  };
  const counts: RedactionCounts = new Map();
  const [out] = redactLogs(standard, [log], counts);
  assert.deepEqual(out!.body, { content: 'IBAN [IBAN]', role: 'user' });
  assert.deepEqual(out!.attributes, { 'gen_ai.evaluation.explanation': 'user [EMAIL] was happy' });
  assert.deepEqual(Object.fromEntries(counts), { IBAN: 1, EMAIL: 1, IP: 1 });
});

test('metric points: attributes are redacted, values kept', () => {
  const point: MetricPointRecord = {
    name: 'gen_ai.client.token.usage',
    description: '',
    unit: '{token}',
    type: 'sum',
    aggregationTemporality: 2,
    isMonotonic: true,
    attributes: { 'server.address': '203.0.113.7' },
    startTimeUnixNano: 1n,
    timeUnixNano: 2n,
    value: 42,
    data: {},
    flags: 0,
    resource,
    scope,
  };
  const counts: RedactionCounts = new Map();
  const [out] = redactMetricPoints(standard, [point], counts);
  assert.deepEqual(out!.attributes, { 'server.address': '[IP]' });
  assert.equal(out!.value, 42);
});

test('the patterns file is read at start; one that cannot be read or used stops the start with its reason', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-patterns-'));
  try {
    const file = path.join(dir, 'patterns.json');
    await writeFile(file, '{"TICKET": "TCK-\\\\d{5}"}');
    const redactor = await loadRedactor({ redact: 'off', redactPatterns: file });
    assert.deepEqual([redactor.enabled, redactor.customTypes, run('see TCK-48213', redactor).text], [true, ['TICKET'], 'see [TICKET]']);
    await assert.rejects(loadRedactor({ redact: 'default', redactPatterns: path.join(dir, 'missing.json') }), (e: Error) =>
      e.message.startsWith(`FLYWHEEL_REDACT_PATTERNS: cannot read ${path.join(dir, 'missing.json')}: ENOENT`),
    );
    await writeFile(file, '{"TICKET": "("}');
    await assert.rejects(loadRedactor({ redact: 'default', redactPatterns: file }), RedactPatternsError);
    assert.equal((await loadRedactor({ redact: 'off', redactPatterns: undefined })).enabled, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a scoped redactor gives a repeated text the same result and counts every use', () => {
  const scoped = standard.scoped();
  const long = `Please reply to jane@example.com about order A-1001, placed 2026-12-01, or to bob@example.org.`;
  const counts: RedactionCounts = new Map();
  const first = scoped.text(long, counts);
  const second = scoped.text(long, counts);
  assert.equal(first, 'Please reply to [EMAIL] about order A-1001, placed 2026-12-01, or to [EMAIL].');
  assert.equal(second, first);
  assert.deepEqual(Object.fromEntries(counts), { EMAIL: 4 });
  // An identifier key and another key run different detector lists: each is remembered on its own.
  const attributeCounts: RedactionCounts = new Map();
  const out = strict.scoped().attributes({ 'a.id': long, b: long }, attributeCounts);
  assert.deepEqual(out, { 'a.id': first, b: first });
  assert.deepEqual(Object.fromEntries(attributeCounts), { EMAIL: 4 });
});
