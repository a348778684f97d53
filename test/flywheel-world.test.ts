// The pure parts of the flywheel simulation (bench/flywheel): the seeded generator, the world's
// documents and grading, the planted rates, the context-only model and the agent's router.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { route } from '../bench/flywheel/agent.ts';
import { answerFromContext, UNKNOWN_ANSWER } from '../bench/flywheel/context-model.ts';
import { randomStream } from '../bench/flywheel/random.ts';
import { askQuestion, FACTS, grade, heldOutQuestions, type Question, sourceDocument, supersededValues, valueAt } from '../bench/flywheel/world.ts';

const basic: Question = { id: 'q', text: 'How much does the Basic plan cost?', factId: 'price-basic', orderId: null, wording: 'plain' };

test('a seed and a stream name give the same numbers every time, another name others', () => {
  const a = Array.from({ length: 5 }, randomStream(3, 'ask').next);
  const b = Array.from({ length: 5 }, randomStream(3, 'ask').next);
  const c = Array.from({ length: 5 }, randomStream(3, 'react').next);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('a fact has the value of its latest version up to the week, and none before it exists', () => {
  const fact = FACTS.find((f) => f.id === 'price-basic');
  assert.ok(fact);
  assert.equal(valueAt(fact, 2), '9 EUR');
  assert.equal(valueAt(fact, 3), '12 EUR');
  assert.deepEqual(supersededValues(fact, 9), ['9 EUR', '12 EUR']);
  const flex = FACTS.find((f) => f.id === 'price-flex');
  assert.ok(flex);
  assert.equal(valueAt(flex, 4), null);
});

test('a maintained document follows the world, the stale one keeps its first text', () => {
  assert.match(sourceDocument('prices', 3), /## Basic plan\n\nThe Basic plan costs 12 EUR per month\./);
  assert.doesNotMatch(sourceDocument('prices', 4), /Flex plan/);
  assert.match(sourceDocument('prices', 5), /## Flex plan\n\nThe Flex plan costs 19 EUR per month\./);
  assert.equal(sourceDocument('hours', 9), sourceDocument('hours', 0));
  assert.match(sourceDocument('hours', 9), /The Leipzig store opens 9:00 to 18:00/);
});

test('an answer is graded against the truth of its week', () => {
  assert.equal(grade(basic, 'The Basic plan costs 12 EUR per month.', 4, 1), 'correct');
  assert.equal(grade(basic, 'The Basic plan costs 9 EUR per month.', 4, 1), 'superseded');
  assert.equal(grade(basic, UNKNOWN_ANSWER, 4, 1), 'unknown');
  assert.equal(grade(basic, 'The Pro plan costs 29 EUR per month.', 4, 1), 'wrong');
  const gift: Question = { id: 'g', text: 'How much does gift wrapping cost?', factId: 'gift-wrap', orderId: null, wording: 'plain' };
  assert.equal(grade(gift, 'The Pro plan costs 34 EUR per month.', 9, 1), 'wrong');
  assert.equal(grade(gift, 'Gift wrapping costs 4 EUR per item.', 9, 1), 'correct');
});

test('the planted wordings occur at about their stated rates', () => {
  const r = randomStream(5, 'rates');
  const n = 20_000;
  const asked = Array.from({ length: n }, (_, i) => askQuestion(r, 6, `q${i}`));
  const share = (w: Question['wording']) => asked.filter((q) => q.wording === w).length / n;
  assert.ok(Math.abs(share('misrouted') - 0.05) < 0.01, `misrouted ${share('misrouted')}`);
  assert.ok(Math.abs(share('slang') - 0.03) < 0.01, `slang ${share('slang')}`);
});

test('the router sends misrouted wordings and order questions to the order specialist, the rest to knowledge', () => {
  for (const f of FACTS) {
    if (f.misrouted !== null) assert.equal(route(f.misrouted), 'orders', f.misrouted);
    for (const p of [...f.phrasings, ...f.heldOut]) assert.equal(route(p), 'knowledge', p);
  }
  for (const q of heldOutQuestions().filter((h) => h.orderId !== null)) assert.equal(route(q.text), 'orders');
});

test('the model answers with the context sentence sharing most words with the question, else the first, else that it does not know', () => {
  const system = 'Instructions.\n\nKnown answers:\n- Orders can be picked up at the Leipzig store from the day after they ship.\n- The Leipzig store opens 10:00 to 20:00, Monday to Saturday.';
  assert.equal(answerFromContext(system, 'What are the opening hours of the Leipzig store?'), 'The Leipzig store opens 10:00 to 20:00, Monday to Saturday.');
  assert.equal(answerFromContext(system, 'collect it myself?'), 'Orders can be picked up at the Leipzig store from the day after they ship.');
  assert.equal(answerFromContext('Instructions.', 'collect it myself?'), UNKNOWN_ANSWER);
  assert.equal(answerFromContext('Instructions.\n\nOrder record: A-1003 status shipped', 'Where is my order A-1003?'), 'Order A-1003 is shipped.');
});
