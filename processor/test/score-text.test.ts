import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerText, contentTerms, endsWithToolCall, jaccard, lastUserText, normalizeText, stem, termRecall } from '../src/score/text.ts';

test('lastUserText is the last user message with text; null without captured content', () => {
  assert.equal(
    lastUserText([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'First question' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'First answer' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Second' }, { type: 'text', content: 'question' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'x' }] },
    ]),
    'Second\nquestion',
  );
  assert.equal(lastUserText(null), null);
  assert.equal(lastUserText([{ role: 'user', parts: [{ type: 'image', uri: 'x' }] }]), null);
});

test('answerText joins the text of assistant messages; "" when they hold only tool calls', () => {
  assert.equal(answerText([{ role: 'assistant', parts: [{ type: 'text', content: 'A' }] }, { role: 'assistant', parts: [{ type: 'text', content: 'B' }] }]), 'A\nB');
  assert.equal(answerText([{ role: 'assistant', parts: [{ type: 'tool_call', id: '1', name: 'f' }] }]), '');
  assert.equal(answerText(null), null);
});

test('endsWithToolCall: the last output message asks for a tool and says nothing', () => {
  assert.equal(endsWithToolCall([{ role: 'assistant', parts: [{ type: 'tool_call', id: '1', name: 'f' }] }]), true);
  assert.equal(endsWithToolCall([{ role: 'assistant', parts: [{ type: 'text', content: 'Here.' }] }]), false);
  assert.equal(endsWithToolCall(null), false);
});

test('stem meets inflections of a word and keeps words with digits whole', () => {
  assert.deepEqual(
    ['shipped', 'shipping', 'ships', 'ship', 'boxes', 'replies', 'times', 'status', 'business', 'called', 'a-1001', 'v2s'].map(stem),
    ['ship', 'ship', 'ship', 'ship', 'box', 'reply', 'time', 'status', 'business', 'call', 'a-1001', 'v2s'],
  );
});

test('contentTerms drops stop words and punctuation, keeps ids and numbers', () => {
  assert.deepEqual([...contentTerms('Where is my order A-1001? It was shipped on 2 May.')], ['order', 'a-1001', 'ship', '2', 'may']);
  assert.deepEqual([...contentTerms('Why?')], []);
});

test('termRecall is the share of reference terms found; null for an empty reference', () => {
  assert.equal(termRecall(new Set(['a', 'b', 'c', 'd']), new Set(['a', 'c', 'x'])), 0.5);
  assert.equal(termRecall(new Set(), new Set(['a'])), null);
});

test('jaccard is |A ∩ B| / |A ∪ B|, 0 against an empty set, null for two empty sets', () => {
  assert.equal(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd'])), 0.5);
  assert.equal(jaccard(new Set(['a']), new Set(['a'])), 1);
  assert.equal(jaccard(new Set(), new Set(['a'])), 0);
  assert.equal(jaccard(new Set(), new Set()), null);
});

test('normalizeText drops case, punctuation and runs of spaces', () => {
  assert.equal(normalizeText('  Where is   MY order?! '), 'where is my order');
});
