// The agent's two tools, over small in-memory stand-ins for an order database and a knowledge
// base. Each result names its source, which the agent reports as a knowledge source.

export interface ToolResult {
  /** What the model is told. */
  content: Record<string, unknown>;
  /** Id or URI of what the answer will rely on; none when nothing was found. */
  source?: string;
}

const ORDERS: Record<string, { status: string; carrier?: string; eta?: string }> = {
  'A-1001': { status: 'shipped', carrier: 'DHL', eta: '2026-05-02' },
  'A-1002': { status: 'processing' },
  'A-1003': { status: 'delivered', carrier: 'UPS' },
};

const ARTICLES = [
  { id: 'kb://refund-policy', keywords: ['refund', 'return', 'money back'], text: 'Refunds are issued within 5 business days of receiving the return.' },
  { id: 'kb://shipping-times', keywords: ['shipping', 'delivery', 'late', 'eta'], text: 'Standard shipping takes 2 to 4 business days.' },
  { id: 'kb://invoices', keywords: ['invoice', 'receipt', 'vat'], text: 'Invoices are emailed when the order ships and are in the account page.' },
];

// Async, as a real database or search call would be.
export async function lookupOrder(args: { order_id?: unknown }): Promise<ToolResult> {
  const id = String(args.order_id ?? '').toUpperCase();
  const order = ORDERS[id];
  if (!order) return { content: { error: `no order ${id}` } };
  return { content: { order_id: id, ...order }, source: `orders://${id}` };
}

export async function searchKnowledgeBase(args: { query?: unknown }): Promise<ToolResult> {
  const query = String(args.query ?? '').toLowerCase();
  const article = ARTICLES.find((a) => a.keywords.some((k) => query.includes(k)));
  if (!article) return { content: { results: [] } };
  return { content: { results: [{ id: article.id, text: article.text }] }, source: article.id };
}

/** The tool definitions given to the model, in the Chat Completions format. */
export const TOOL_DEFINITIONS = [
  {
    type: 'function' as const,
    function: {
      name: 'lookup_order',
      description: 'Status, carrier and expected delivery of an order',
      parameters: {
        type: 'object',
        properties: { order_id: { type: 'string', description: 'Order id, e.g. A-1001' } },
        required: ['order_id'],
      },
    },
  },
  {
    type: 'function' as const,
    function: {
      name: 'search_knowledge_base',
      description: 'Searches the help-center articles (refunds, shipping, invoices)',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string' } },
        required: ['query'],
      },
    },
  },
];

/** Runs a tool the model asked for. */
export function runTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  switch (name) {
    case 'lookup_order':
      return lookupOrder(args);
    case 'search_knowledge_base':
      return searchKnowledgeBase(args);
    default:
      return Promise.resolve({ content: { error: `unknown tool ${name}` } });
  }
}
