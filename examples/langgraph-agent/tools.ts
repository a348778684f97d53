// The agent's data: a few orders (the LangGraph tool `lookup_order` reads them) and three
// help-center articles (searched by the app before the graph runs, traced with traceTool()).
import { tool } from '@langchain/core/tools';
import { z } from 'zod';

const ORDERS: Readonly<Record<string, { status: string; carrier: string; eta: string }>> = {
  'A-1001': { status: 'shipped', carrier: 'DHL', eta: '2 May' },
  'A-1002': { status: 'packing', carrier: 'UPS', eta: '5 May' },
};

const ARTICLES = [
  { id: 'kb-shipping', text: 'Standard shipping takes 2 to 4 working days.' },
  { id: 'kb-returns', text: 'Orders can be returned within 30 days of delivery.' },
  { id: 'kb-refunds', text: 'Refunds reach the original payment method within 5 days.' },
];

export const lookupOrder = tool(
  async ({ order_id }: { order_id: string }) => JSON.stringify(ORDERS[order_id] ?? { error: `no order ${order_id}` }),
  {
    name: 'lookup_order',
    description: 'Looks an order up by its id (such as A-1001): status, carrier and arrival date.',
    schema: z.object({ order_id: z.string() }),
  },
);

/** Help-center articles sharing a word of four letters or more with the question. */
export function searchArticles(question: string): { id: string; text: string }[] {
  const words = new Set(question.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  return ARTICLES.filter((a) => (a.text.toLowerCase().match(/[a-z]{4,}/g) ?? []).some((w) => words.has(w)));
}
