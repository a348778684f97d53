// The simulated world: a shop whose facts change over the weeks (prices, policies, opening
// hours, product versions), the documents that publish them, the orders the order tool knows,
// and the users who ask, judge the answers and sometimes correct them. Pure and seeded: the
// same seed gives the same world, the same questions and the same noise. Nothing here is
// visible to the agent; it sees only what the knowledge sources say and what users tell it.
import { type Random, randomStream } from './random.ts';

export type SourceName = 'prices' | 'policies' | 'hours';

export interface Fact {
  id: string;
  /** The document that publishes it; null: no document does (only users can teach it). */
  source: SourceName | null;
  /** Its section heading in the document. */
  heading: string;
  sentence(value: string): string;
  /** Its values, each from a week on (the first from week 0, or from when it appears). */
  versions: readonly { week: number; value: string }[];
  /** How users ask it, most common first. */
  phrasings: readonly string[];
  /** A phrasing that shares no word with the fact (the planted rephrasing failure); null: none. */
  slang: string | null;
  /** A phrasing the agent's router sends to the order specialist (the planted routing mistake); null: none. */
  misrouted: string | null;
  /** The held-out phrasings, never asked by the simulated users. */
  heldOut: readonly string[];
}

export const FACTS: readonly Fact[] = [
  {
    id: 'price-basic', source: 'prices', heading: 'Basic plan',
    sentence: (v) => `The Basic plan costs ${v} per month.`,
    versions: [{ week: 0, value: '9 EUR' }, { week: 3, value: '12 EUR' }, { week: 9, value: '11 EUR' }],
    phrasings: ['How much does the Basic plan cost?', 'What is the monthly price of the Basic plan?'],
    slang: 'cheapest tier, how pricey?', misrouted: null,
    heldOut: ['What does the Basic plan cost per month?'],
  },
  {
    id: 'price-pro', source: 'prices', heading: 'Pro plan',
    sentence: (v) => `The Pro plan costs ${v} per month.`,
    versions: [{ week: 0, value: '29 EUR' }, { week: 5, value: '34 EUR' }],
    phrasings: ['How much does the Pro plan cost?', 'What is the monthly price of the Pro plan?'],
    slang: null, misrouted: null,
    heldOut: ['What does the Pro plan cost per month?'],
  },
  {
    id: 'price-flex', source: 'prices', heading: 'Flex plan',
    sentence: (v) => `The Flex plan costs ${v} per month.`,
    versions: [{ week: 5, value: '19 EUR' }],
    phrasings: ['How much does the Flex plan cost?', 'What is the monthly price of the Flex plan?'],
    slang: null, misrouted: null,
    heldOut: ['What does the Flex plan cost per month?'],
  },
  {
    id: 'shipping-fee', source: 'prices', heading: 'Standard shipping',
    sentence: (v) => `Standard shipping costs ${v} per parcel.`,
    versions: [{ week: 0, value: '4.90 EUR' }, { week: 7, value: '5.90 EUR' }],
    phrasings: ['How much is standard shipping?', 'What does standard shipping cost per parcel?'],
    slang: null, misrouted: 'Where do I see the shipping fee of an order?',
    heldOut: ['What is the standard shipping fee?'],
  },
  {
    id: 'express-fee', source: 'prices', heading: 'Express shipping',
    sentence: (v) => `Express shipping costs ${v} per parcel.`,
    versions: [{ week: 0, value: '9.90 EUR' }],
    phrasings: ['How much is express shipping?', 'What does express shipping cost per parcel?'],
    slang: null, misrouted: null,
    heldOut: ['What is the express shipping fee?'],
  },
  {
    id: 'invoices', source: 'policies', heading: 'Invoices',
    sentence: (v) => `Your invoice is emailed within ${v} of payment.`,
    versions: [{ week: 0, value: '24 hours' }],
    phrasings: ['When is my invoice emailed?', 'How soon do I receive the invoice by email?'],
    slang: null, misrouted: null,
    heldOut: ['How long until the invoice is emailed after payment?'],
  },
  {
    id: 'hotline', source: 'policies', heading: 'Support hotline',
    sentence: (v) => `The support hotline is reachable at ${v}.`,
    versions: [{ week: 0, value: '+49 341 555 0100' }],
    phrasings: ['What is the number of the support hotline?', 'How do I reach the support hotline?'],
    slang: null, misrouted: null,
    heldOut: ['Which phone number does the support hotline have?'],
  },
  {
    id: 'return-window', source: 'policies', heading: 'Returns',
    sentence: (v) => `Returns are accepted within ${v} of delivery.`,
    versions: [{ week: 0, value: '30 days' }, { week: 4, value: '14 days' }],
    phrasings: ['How long do I have to make a return?', 'Within how many days are returns accepted?'],
    slang: 'changed my mind, can I send it back?', misrouted: 'Where do I return an order?',
    heldOut: ['How many days after delivery are returns accepted?'],
  },
  {
    id: 'warranty', source: 'policies', heading: 'Warranty',
    sentence: (v) => `The warranty on devices lasts ${v}.`,
    versions: [{ week: 0, value: '2 years' }, { week: 8, value: '3 years' }],
    phrasings: ['How long is the warranty on devices?', 'How long does the device warranty last?'],
    slang: 'it broke, am I still covered?', misrouted: null,
    heldOut: ['What warranty do devices have?'],
  },
  {
    id: 'app-version', source: 'policies', heading: 'App version',
    sentence: (v) => `The current version of the Flywheel app is ${v}.`,
    versions: [{ week: 0, value: '4.2' }, { week: 2, value: '4.3' }, { week: 6, value: '5.0' }, { week: 10, value: '5.1' }],
    phrasings: ['What is the current version of the Flywheel app?', 'Which Flywheel app version is current?'],
    slang: null, misrouted: null,
    heldOut: ['What version is the Flywheel app at?'],
  },
  {
    id: 'hours-leipzig', source: 'hours', heading: 'Leipzig store',
    sentence: (v) => `The Leipzig store opens ${v}.`,
    versions: [{ week: 0, value: '9:00 to 18:00, Monday to Saturday' }, { week: 3, value: '10:00 to 20:00, Monday to Saturday' }],
    phrasings: ['When does the Leipzig store open?', 'What are the opening hours of the Leipzig store?'],
    slang: null, misrouted: null,
    heldOut: ['At what time does the Leipzig store open?'],
  },
  {
    id: 'hours-berlin', source: 'hours', heading: 'Berlin store',
    sentence: (v) => `The Berlin store opens ${v}.`,
    versions: [{ week: 0, value: '8:00 to 20:00, Monday to Friday' }, { week: 6, value: '9:00 to 21:00, Monday to Saturday' }],
    phrasings: ['When does the Berlin store open?', 'What are the opening hours of the Berlin store?'],
    slang: null, misrouted: null,
    heldOut: ['At what time does the Berlin store open?'],
  },
  {
    id: 'pickup', source: null, heading: 'Pickup',
    sentence: (v) => `Orders can be picked up at the Leipzig store ${v}.`,
    versions: [{ week: 0, value: 'from the day after they ship' }],
    phrasings: ['Can I pick up my purchase at the Leipzig store?', 'Is pickup at the Leipzig store possible?'],
    slang: null, misrouted: 'Where can I pick up my order?',
    heldOut: ['Can purchases be picked up at the Leipzig store?'],
  },
  {
    id: 'gift-wrap', source: null, heading: 'Gift wrapping',
    sentence: (v) => `Gift wrapping costs ${v} per item.`,
    versions: [{ week: 0, value: '3 EUR' }, { week: 8, value: '4 EUR' }],
    phrasings: ['How much does gift wrapping cost?', 'What is the price of gift wrapping per item?'],
    slang: null, misrouted: null,
    heldOut: ['What do you charge for gift wrapping an item?'],
  },
];

/** The documents, in the order they are registered. The hours page is the planted stale source: its publisher stops updating it after week 0. */
export const SOURCES: readonly { name: SourceName; title: string; stale: boolean }[] = [
  { name: 'prices', title: 'Prices', stale: false },
  { name: 'policies', title: 'Policies', stale: false },
  { name: 'hours', title: 'Opening hours', stale: true },
];

export const ORDER_STATUSES = ['processing', 'shipped', 'delivered'] as const;
/** Share of order lookups that fail (the planted failing tool). */
export const TOOL_FAILURE_RATE = 0.25;
/**
 * Share of the questions about a fact with a misroutable wording that use it: three facts of
 * eighteen question kinds, so about 5% of all questions (the planted routing mistake).
 */
export const MISROUTE_RATE = 0.3;
/** The same for the wordings that share no word with the fact: about 3% of all questions (the planted rephrasing failure). */
export const SLANG_RATE = 0.18;

/** The value of a fact in a week; null before it exists. */
export function valueAt(fact: Fact, week: number): string | null {
  let value: string | null = null;
  for (const v of fact.versions) if (v.week <= week) value = v.value;
  return value;
}

/** The values a fact had before the one of `week`. */
export function supersededValues(fact: Fact, week: number): string[] {
  const current = valueAt(fact, week);
  return fact.versions.filter((v) => v.week <= week && v.value !== current).map((v) => v.value);
}

/**
 * A document as its publisher has it in `week`, in markdown: one section per fact it publishes.
 * A stale document stays as it was in week 0.
 */
export function sourceDocument(name: SourceName, week: number): string {
  const source = SOURCES.find((s) => s.name === name);
  if (source === undefined) throw new Error(`no source ${name}`);
  const published = source.stale ? 0 : week;
  const sections = FACTS.filter((f) => f.source === name).flatMap((f) => {
    const value = valueAt(f, published);
    return value === null ? [] : [`## ${f.heading}\n\n${f.sentence(value)}\n`];
  });
  return `# ${source.title}\n\n${sections.join('\n')}`;
}

/** The order status the order system has for an order in a week. */
export function orderStatus(orderId: string, week: number, seed: number): string {
  const r = randomStream(seed, `order:${orderId}`);
  const placed = r.int(12);
  const age = week - placed;
  return ORDER_STATUSES[Math.max(0, Math.min(2, age < 0 ? 0 : age))] as string;
}

/** Whether the order tool's call number `attempt` fails for a question (the planted failing tool). */
export function toolFails(seed: number, questionId: string, attempt: number): boolean {
  return randomStream(seed, `tool:${questionId}:${attempt}`).chance(TOOL_FAILURE_RATE);
}

export type PlantedMode = 'routing' | 'rephrasing' | 'stale-source' | 'failing-tool';
export const PLANTED_MODES: readonly PlantedMode[] = ['routing', 'rephrasing', 'stale-source', 'failing-tool'];

export interface Question {
  /** Unique in the run. */
  id: string;
  text: string;
  /** The fact asked for, or the order. */
  factId: string | null;
  orderId: string | null;
  /** The planted mode the wording triggers, if any. */
  wording: 'plain' | 'slang' | 'misrouted';
}

/** What a question's right answer must say in `week`: the fact's value or the order's status. */
export function expectedValue(question: Question, week: number, seed: number): string | null {
  if (question.orderId !== null) return orderStatus(question.orderId, week, seed);
  const fact = FACTS.find((f) => f.id === question.factId);
  return fact === undefined ? null : valueAt(fact, week);
}

export type Verdict = 'correct' | 'superseded' | 'unknown' | 'wrong';

/** Whether a text states a value as a whole ("9 EUR" is not in "29 EUR", "4.3" not in "14.3"). */
function states(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}.])${escaped}(?![\\p{L}\\p{N}]|\\.\\d)`, 'u').test(text);
}

/** Grades an answer against the ground truth of its week. */
export function grade(question: Question, answer: string, week: number, seed: number): Verdict {
  const expected = expectedValue(question, week, seed);
  if (expected !== null && states(answer, expected)) return 'correct';
  const fact = FACTS.find((f) => f.id === question.factId);
  if (fact !== undefined && supersededValues(fact, week).some((v) => states(answer, v))) return 'superseded';
  if (/do not know|could not/i.test(answer)) return 'unknown';
  return 'wrong';
}

/** The share of user questions per kind in a week: the mix drifts (prices after the price change, returns after the holidays). */
function intentMix(week: number): readonly (readonly [string, number])[] {
  const live = FACTS.filter((f) => valueAt(f, week) !== null);
  const weight = (f: Fact) => {
    if (f.id === 'price-basic' && week >= 3 && week <= 5) return 2;
    if (f.id === 'return-window' && week >= 8) return 2;
    if (f.id === 'price-flex' && week >= 5 && week <= 7) return 2;
    return 1;
  };
  return [...live.map((f) => [f.id, weight(f)] as const), ['order', week >= 8 ? 4 : 3] as const];
}

/** A user's first question in a conversation. */
export function askQuestion(r: Random, week: number, id: string): Question {
  const kind = r.weighted(intentMix(week));
  if (kind === 'order') {
    const orderId = `A-${1000 + r.int(60)}`;
    const text = r.pick([`Where is my order ${orderId}?`, `What is the status of order ${orderId}?`, `Has order ${orderId} shipped yet?`]);
    return { id, text, factId: null, orderId, wording: 'plain' };
  }
  const fact = FACTS.find((f) => f.id === kind) as Fact;
  const x = r.next();
  if (fact.misrouted !== null && x < MISROUTE_RATE) return { id, text: fact.misrouted, factId: fact.id, orderId: null, wording: 'misrouted' };
  if (fact.slang !== null && x > 1 - SLANG_RATE) return { id, text: fact.slang, factId: fact.id, orderId: null, wording: 'slang' };
  return { id, text: r.weighted([[fact.phrasings[0] as string, 3], [fact.phrasings[1] as string, 1]]), factId: fact.id, orderId: null, wording: 'plain' };
}

/** The same question asked again, in its other usual words (the user's rephrasing). */
export function rephrase(question: Question, r: Random, id: string): Question {
  if (question.orderId !== null) return { ...question, id, text: `No, I meant the status of my order ${question.orderId}, please check again.` };
  const fact = FACTS.find((f) => f.id === question.factId) as Fact;
  const others = fact.phrasings.filter((p) => p !== question.text);
  return { ...question, id, text: r.pick(others.length > 0 ? others : fact.phrasings), wording: 'plain' };
}

/** The fixed held-out set: every fact's held-out phrasings and a few orders, graded each week against that week's truth. */
export function heldOutQuestions(): Question[] {
  const facts = FACTS.flatMap((f) => f.heldOut.map((text, i) => ({ id: `heldout:${f.id}:${i}`, text, factId: f.id, orderId: null, wording: 'plain' as const })));
  const orders = ['A-1003', 'A-1011', 'A-1017', 'A-1024', 'A-1036', 'A-1042', 'A-1049', 'A-1055'].map((orderId) => ({
    id: `heldout:order:${orderId}`, text: `Where is my order ${orderId}?`, factId: null, orderId, wording: 'plain' as const,
  }));
  return [...facts, ...orders];
}

/** The correct answer sentence a user who corrects the agent types. */
export function correctionFor(question: Question, week: number): string | null {
  if (question.orderId !== null) return null;
  const fact = FACTS.find((f) => f.id === question.factId) as Fact;
  const value = valueAt(fact, week);
  return value === null ? null : fact.sentence(value);
}

export interface Reaction {
  rating?: number;
  thumbs?: 'up' | 'down';
  correction?: string;
  /** Asks again, in other words. */
  again: boolean;
}

/**
 * How a simulated user reacts to a graded answer: most rate or thumb it (with noise: a rating
 * one off now and then, a thumb the wrong way), many who got a wrong answer ask again, some type
 * the right answer. `turn` counts from 0 in the conversation.
 */
export function react(r: Random, verdict: Verdict, correction: string | null, turn: number): Reaction {
  const good = verdict === 'correct';
  const noisy = (rating: number) => Math.max(1, Math.min(5, rating + (r.chance(0.15) ? (r.chance(0.5) ? 1 : -1) : 0)));
  const reaction: Reaction = { again: !good && turn < 2 && r.chance(0.6) };
  const kind = r.weighted([['rating', 0.55], ['thumbs', 0.3], ['none', good ? 0.15 : 0.1]] as const);
  if (kind === 'rating') reaction.rating = noisy(good ? 5 : verdict === 'unknown' ? 2 : 1);
  if (kind === 'thumbs') reaction.thumbs = r.chance(0.05) ? (good ? 'down' : 'up') : good ? 'up' : 'down';
  if (!good && kind !== 'none' && correction !== null && r.chance(0.5)) reaction.correction = correction;
  return reaction;
}

/** The 1-5 satisfaction a held-out answer earns: what a user would rate it, with the same noise. */
export function heldOutRating(r: Random, verdict: Verdict, slow: boolean): number {
  const base = verdict === 'correct' ? (slow ? 4 : 5) : verdict === 'unknown' ? 2 : 1;
  return Math.max(1, Math.min(5, base + (r.chance(0.1) ? (r.chance(0.5) ? 1 : -1) : 0)));
}

/** The week a fact changed value (not its first appearance), for the time-to-first-correct-answer metric. */
export function changes(): { factId: string; week: number }[] {
  return FACTS.flatMap((f) => f.versions.slice(1).map((v) => ({ factId: f.id, week: v.week })));
}

export const USERS = 240;
