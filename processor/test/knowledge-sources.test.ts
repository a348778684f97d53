// Knowledge sources' pure core, on plain values: a document split into sections (split.ts), the
// update frequency and retry schedule, and what a refreshed document does to the items of its
// earlier versions (sources.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUpdateFrequency, planSourceUpdate, retryDelaySeconds, type SourceItem } from '../src/knowledge/sources.ts';
import { formatOf, splitContent, SourceFormatError } from '../src/knowledge/split.ts';

test('markdown splits by headings: the key is the heading path, the content the section body', () => {
  const doc = [
    'Welcome text.',
    '',
    '# Shipping',
    'We ship worldwide.',
    '## Returns',
    'Within 30 days.',
    '### Refunds ###',
    'To the card used.',
    '## Customs',
    'Paid by the buyer.',
    '# Contact',
    '# Empty',
    '## Child',
    'Only the child has text.',
  ].join('\n');
  assert.deepEqual(splitContent(doc, 'markdown'), [
    { key: 'source:(preamble)', content: 'Welcome text.' },
    { key: 'source:Shipping', content: 'We ship worldwide.' },
    { key: 'source:Shipping > Returns', content: 'Within 30 days.' },
    { key: 'source:Shipping > Returns > Refunds', content: 'To the card used.' },
    { key: 'source:Shipping > Customs', content: 'Paid by the buyer.' },
    { key: 'source:Empty > Child', content: 'Only the child has text.' },
  ]);
});

test('markdown: a heading inside a fenced code block is text, a skipped level keeps the path, a repeated heading gets a number', () => {
  const doc = ['# Setup', '```sh', '# not a heading', '```', '### Deep', 'deep text', '# Setup', 'again'].join('\n');
  assert.deepEqual(splitContent(doc, 'markdown'), [
    { key: 'source:Setup', content: '```sh\n# not a heading\n```' },
    { key: 'source:Setup > Deep', content: 'deep text' },
    { key: 'source:Setup (2)', content: 'again' },
  ]);
});

test('JSON splits an array by its entries (named by id, key, name, title or question, else index) and an object by its keys', () => {
  assert.deepEqual(splitContent(JSON.stringify([{ id: 'ret', text: 'a' }, { question: 'Hours?', answer: '9-5' }, 'plain', 42]), 'json'), [
    { key: 'source:ret', content: '{\n  "id": "ret",\n  "text": "a"\n}' },
    { key: 'source:Hours?', content: '{\n  "question": "Hours?",\n  "answer": "9-5"\n}' },
    { key: 'source:[2]', content: 'plain' },
    { key: 'source:[3]', content: '42' },
  ]);
  assert.deepEqual(splitContent('{"returns": "30 days", "hours": {"open": 9}}', 'json'), [
    { key: 'source:returns', content: '30 days' },
    { key: 'source:hours', content: '{\n  "open": 9\n}' },
  ]);
  assert.throws(() => splitContent('{"broken": ', 'json'), (e: unknown) => e instanceof SourceFormatError && /^the source is not valid JSON: /.test(e.message));
});

test('plain text splits by blank lines, each paragraph keyed by its first line', () => {
  assert.deepEqual(splitContent('Opening hours\n9 to 5.\n\n  \n\nReturns within 30 days.\r\n\r\nLast.', 'text'), [
    { key: 'source:Opening hours', content: 'Opening hours\n9 to 5.' },
    { key: 'source:Returns within 30 days.', content: 'Returns within 30 days.' },
    { key: 'source:Last.', content: 'Last.' },
  ]);
});

test('the format comes from the content type, else the extension, else the content', () => {
  assert.equal(formatOf('https://x.test/faq', 'text/markdown; charset=utf-8', 'x'), 'markdown');
  assert.equal(formatOf('https://x.test/faq', 'application/json', '[]'), 'json');
  assert.equal(formatOf('https://x.test/faq', 'application/ld+json', '{}'), 'json');
  assert.equal(formatOf('file:///srv/faq.md', null, 'x'), 'markdown');
  assert.equal(formatOf('file:///srv/faq.json', null, '{}'), 'json');
  assert.equal(formatOf('file:///srv/faq.txt', null, '# x'), 'text');
  assert.equal(formatOf('https://x.test/faq', 'text/plain', '{"a": 1}'), 'json');
  assert.equal(formatOf('https://x.test/faq', 'text/plain', '{not json\n# Heading'), 'markdown');
  assert.equal(formatOf('https://x.test/faq', null, 'just words'), 'text');
});

test('updateFrequency: seconds or an ISO 8601 duration of weeks, days, hours, minutes, seconds', () => {
  assert.deepEqual(
    [3600, 'PT1H', 'P1D', 'PT15M', 'P1DT12H', 'P1W', 'pt90s', 'PT1H30M5S'].map(parseUpdateFrequency),
    [3600, 3600, 86_400, 900, 129_600, 604_800, 90, 5405],
  );
  assert.throws(() => parseUpdateFrequency('P1M'), /^Error: updateFrequency 'P1M' uses years or months, which have no fixed length; give weeks, days, hours, minutes or seconds \(P30D\)$/);
  assert.throws(() => parseUpdateFrequency('P1Y'), /uses years or months/);
  for (const bad of ['1h', 'P', 'PT', 'P1DT', 'PT0.5H', '']) {
    assert.throws(() => parseUpdateFrequency(bad), new RegExp(`^Error: updateFrequency must be seconds or an ISO 8601 duration such as PT15M, PT1H or P1D, got '${bad}'$`));
  }
  assert.throws(() => parseUpdateFrequency(1.5), /^Error: updateFrequency in seconds must be a whole number, got 1.5$/);
  assert.throws(() => parseUpdateFrequency(0), /^Error: updateFrequency must be from 1 second to 366 days, got 0 s$/);
  assert.throws(() => parseUpdateFrequency('P400D'), /got 34560000 s$/);
});

test('a failed refresh is retried after 10 s, doubling with each failure in a row, never later than the update frequency', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, 3600)), [10, 20, 40, 80, 160]);
  assert.deepEqual([1, 9, 10, 1000].map((n) => retryDelaySeconds(n, 3600)), [10, 2560, 3600, 3600]);
  assert.equal(retryDelaySeconds(1, 2), 2);
});

const item = (id: string, key: string, content: string, status: SourceItem['status'], version = 1): SourceItem => ({ id, key, content, status, version });

test('first read: every section is a new item, version 1; trusted ones committed, untrusted pending', () => {
  const sections = [{ key: 'source:A', content: 'a' }, { key: 'source:B', content: 'b' }];
  assert.deepEqual(planSourceUpdate(sections, [], true), {
    unchanged: 0,
    changes: [
      { kind: 'insert', key: 'source:A', content: 'a', version: 1, status: 'committed', supersede: [], conflictWith: null },
      { kind: 'insert', key: 'source:B', content: 'b', version: 1, status: 'committed', supersede: [], conflictWith: null },
    ],
  });
  assert.deepEqual(planSourceUpdate(sections, [], false).changes.map((c) => c.kind === 'insert' && c.status), ['pending', 'pending']);
});

test('trusted: a changed section supersedes its live items, an unchanged one is left alone, a removed one is retired', () => {
  const items = [
    item('1', 'source:A', 'a', 'superseded', 1), item('2', 'source:A', 'a2', 'committed', 2),
    item('3', 'source:B', 'b', 'committed'), item('4', 'source:C', 'c', 'committed'),
  ];
  assert.deepEqual(planSourceUpdate([{ key: 'source:A', content: 'a3' }, { key: 'source:B', content: 'b' }], items, true), {
    unchanged: 1,
    changes: [
      { kind: 'insert', key: 'source:A', content: 'a3', version: 3, status: 'committed', supersede: ['2'], conflictWith: null },
      { kind: 'retire', key: 'source:C', ids: ['4'] },
    ],
  });
});

test('untrusted: a changed section replaces the pending version and waits for review against the committed one', () => {
  const items = [item('1', 'source:A', 'a', 'committed', 1), item('2', 'source:A', 'a2', 'pending', 2)];
  assert.deepEqual(planSourceUpdate([{ key: 'source:A', content: 'a3' }], items, false).changes, [
    { kind: 'insert', key: 'source:A', content: 'a3', version: 3, status: 'pending', supersede: ['2'], conflictWith: '1' },
  ]);
  // The same content as the pending version: nothing to do.
  assert.deepEqual(planSourceUpdate([{ key: 'source:A', content: 'a2' }], items, false), { unchanged: 1, changes: [] });
});

test('a version a person rejected is not proposed again while the source says the same; a new content is', () => {
  const items = [item('1', 'source:A', 'a', 'committed', 1), item('2', 'source:A', 'a2', 'rejected', 2)];
  assert.deepEqual(planSourceUpdate([{ key: 'source:A', content: 'a2' }], items, false), { unchanged: 1, changes: [] });
  assert.deepEqual(planSourceUpdate([{ key: 'source:A', content: 'a3' }], items, false).changes, [
    { kind: 'insert', key: 'source:A', content: 'a3', version: 3, status: 'pending', supersede: [], conflictWith: '1' },
  ]);
});

test('a section that comes back after it was retired is a new version; retiring takes every live item of the key', () => {
  const retired = [item('1', 'source:A', 'a', 'superseded', 1)];
  assert.deepEqual(planSourceUpdate([{ key: 'source:A', content: 'a' }], retired, true).changes, [
    { kind: 'insert', key: 'source:A', content: 'a', version: 2, status: 'committed', supersede: [], conflictWith: null },
  ]);
  const live = [item('5', 'source:B', 'b2', 'pending', 2), item('4', 'source:B', 'b', 'committed', 1)];
  assert.deepEqual(planSourceUpdate([], live, false).changes, [{ kind: 'retire', key: 'source:B', ids: ['4', '5'] }]);
});
