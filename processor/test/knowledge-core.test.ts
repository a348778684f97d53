// The knowledge stage's pure core: candidate extraction (candidates.ts) and validation against
// the live items of a key (validation.ts), on plain values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractCandidates, type KnowledgeSource, questionKey } from '../src/knowledge/candidates.ts';
import { confidenceOf, confidences, integrate, type LiveItem, sameContent } from '../src/knowledge/validation.ts';

const at = new Date('2026-05-01T10:00:00Z');
const source = (o: Partial<KnowledgeSource> = {}): KnowledgeSource => ({
  interactionId: 'i-1', agent: 'support', userId: 'u-1', question: 'Where is my order A-1001?',
  answer: 'It shipped.', eligible: false, feedback: [], at, ...o,
});

test('the key is the sorted distinct content terms of the question', () => {
  assert.equal(questionKey('Where is my ORDER A-1001?'), 'a-1001 order');
  assert.equal(questionKey('order a-1001, where is it'), 'a-1001 order');
});

test('a correction becomes a candidate from its user, with its provenance', () => {
  const candidates = extractCandidates(source({ feedback: [{ id: '7', correction: ' It ships Monday. ', score: 0, userId: 'u-2' }] }));
  assert.deepEqual(candidates, [{
    agent: 'support', key: 'a-1001 order', content: 'It ships Monday.', origin: 'correction', supporters: ['user:u-2'],
    interactionIds: ['i-1'], feedbackIds: ['7'], at,
  }]);
});

test('a correction without a user counts as its own voter', () => {
  const [candidate] = extractCandidates(source({ feedback: [{ id: '8', correction: 'Monday', score: null, userId: null }] }));
  assert.deepEqual(candidate?.supporters, ['feedback:8']);
});

test('a gate-eligible answer is a candidate; an ineligible one without praise, or one with negative feedback, is not', () => {
  assert.deepEqual(extractCandidates(source({ eligible: true })).map((c) => [c.origin, c.content, c.supporters]), [['interaction', 'It shipped.', ['user:u-1']]]);
  assert.deepEqual(extractCandidates(source()), []);
  assert.deepEqual(extractCandidates(source({ eligible: true, feedback: [{ id: '1', correction: null, score: 0, userId: 'u-3' }] })), []);
});

test('positive feedback confirms an ineligible answer, each user a supporter', () => {
  const feedback = [{ id: '1', correction: null, score: 1, userId: 'u-3' }, { id: '2', correction: null, score: 0.9, userId: 'u-4' }];
  const [candidate] = extractCandidates(source({ feedback }));
  assert.deepEqual([candidate?.supporters, candidate?.feedbackIds], [['user:u-3', 'user:u-4'], ['1', '2']]);
});

test('no question, or one of stop words only, gives no candidate', () => {
  assert.deepEqual(extractCandidates(source({ question: null, eligible: true })), []);
  assert.deepEqual(extractCandidates(source({ question: 'what is it?', eligible: true })), []);
});

test('confidence is S / (S + D + 1): agreement raises it, disagreement lowers it', () => {
  assert.equal(confidenceOf(['user:a'], []), 0.5);
  assert.equal(confidenceOf(['user:a', 'user:b'], []), 0.6667);
  assert.equal(confidenceOf(['user:a', 'user:b', 'user:c', 'user:d', 'user:e', 'user:f'], []), 0.8571);
  assert.equal(confidenceOf(['user:a', 'user:b'], [['user:c']]), 0.5);
  // A user on both sides is not counted against.
  assert.equal(confidenceOf(['user:a'], [['user:a']]), 0.5);
  assert.deepEqual(confidences([{ id: '1', supporters: ['user:a'] }, { id: '2', supporters: ['user:b', 'user:c'] }]), new Map([['1', 0.25], ['2', 0.5]]));
});

test('contents equal once normalised or with term Jaccard >= 0.8 are the same', () => {
  assert.equal(sameContent('It ships on Monday.', 'it ships on monday'), true);
  assert.equal(sameContent('Order A-1001 ships Monday from Berlin warehouse', 'Order A-1001 shipped Monday from the Berlin warehouse'), true);
  assert.equal(sameContent('It ships on Monday.', 'It ships on Friday.'), false);
});

const candidate = (content: string, supporters: string[], when = at) => ({
  agent: 'support', key: 'a-1001 order', content, origin: 'correction' as const, supporters, interactionIds: ['i-9'], feedbackIds: ['9'], at: when,
});
const item = (o: Partial<LiveItem> & { id: string }): LiveItem => ({
  content: 'It ships Monday.', status: 'pending', confidence: 0.5, supporters: ['user:a'], version: 1, createdAt: new Date('2026-04-01T00:00:00Z'), ...o,
});

test('a first candidate is inserted at version 1; a duplicate merges', () => {
  assert.deepEqual(integrate(candidate('It ships Monday.', ['user:b']), []), { kind: 'insert', supersedes: null, conflictWith: null, version: 1 });
  assert.deepEqual(integrate(candidate('it ships monday', ['user:b']), [item({ id: '1' })]), { kind: 'merge', id: '1' });
});

test('a newer, as confident contradiction supersedes a pending item', () => {
  const old = item({ id: '1' });
  assert.deepEqual(integrate(candidate('It ships Friday.', ['user:b']), [old]), { kind: 'insert', supersedes: old, conflictWith: null, version: 2 });
});

test('a contradiction of a better supported item, or of a committed one, is flagged for review', () => {
  const strong = item({ id: '1', supporters: ['user:a', 'user:c'], confidence: 0.6667 });
  assert.deepEqual(integrate(candidate('It ships Friday.', ['user:b']), [strong]), { kind: 'insert', supersedes: null, conflictWith: strong, version: 2 });
  const committed = item({ id: '2', status: 'committed' });
  assert.deepEqual(integrate(candidate('It ships Friday.', ['user:b']), [committed]), { kind: 'insert', supersedes: null, conflictWith: committed, version: 2 });
});

test('an older contradiction does not supersede', () => {
  const old = item({ id: '1' });
  const decision = integrate(candidate('It ships Friday.', ['user:b'], new Date('2026-03-01T00:00:00Z')), [old]);
  assert.deepEqual(decision, { kind: 'insert', supersedes: null, conflictWith: old, version: 2 });
});
