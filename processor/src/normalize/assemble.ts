// Assembly of interactions from the spans and GenAI log records of one trace.
//
// Spans of one trace arrive in any order and in any number of batches; the caller rebuilds the
// trace whenever more arrive, so the result depends only on the set of spans and logs given:
// every list is sorted by a total order (start time, then span id) before it is used.
//
// Which spans become interactions (walking each tree from the top):
// - an `invoke_agent` span with no `invoke_agent` above it;
// - any other GenAI span with no interaction above it and no `invoke_agent` beneath it
//   (a plain `chat` call, a top-most `execute_tool`...);
// - a GenAI span with agents beneath it (an `invoke_workflow` over several agents) is not one;
//   its agents are.
// Everything beneath an interaction span folds into it: LLM calls, tools, nested agents
// (hand-offs) and non-GenAI spans (HTTP, DB). A span whose parent has not arrived is a top.
//
// So the interactions beneath a top-most GenAI span (one with no GenAI span above it) depend only
// on the spans beneath it and the events joined to them (and their `events` on evaluation records
// joined by response id, joinEvaluationsByResponseId); what lies above it is non-GenAI and owns
// nothing.
// Ingest relies on this to rebuild only the subtrees a batch can change (store/interactions/subtrees.ts),
// from what spanRoleOf() tells of each span alone.
import type { LogRecord, SpanRecord } from '../otlp/records.ts';
import type { Interaction, InteractionEvent, SubAgent, ToolCall } from './interaction.ts';
import type { SpanFacts } from './convention.ts';
import { ADAPTERS, readSpan } from './registry.ts';
import { compareBigint, joinEvents } from './events.ts';
import { stringOf } from './attribute-values.ts';
import * as semconv from './semconv.ts';

type TokenField = 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheCreationInputTokens' | 'reasoningOutputTokens';
const TOKEN_FIELDS: readonly TokenField[] = [
  'inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheCreationInputTokens', 'reasoningOutputTokens',
];
type TokenCounts = Record<TokenField, number | null>;

interface Node {
  span: SpanRecord;
  facts: SpanFacts | null;
  conventions: string[];
  events: InteractionEvent[];
  /** Spans naming this one as parent, in start order. */
  children: Node[];
  /** The parent in the walked tree: null for a top (parent missing, or a cycle broken here). */
  treeParent: Node | null;
  visited: boolean;
  containsAgent: boolean;
  /** Token counts of this span's subtree, by the rule in summarise(). */
  tokens: TokenCounts;
  /** The interaction span this span folds into (itself for an interaction span), or null. */
  owner: Node | null;
  /** A model call another instrumentation traced too (markSecondTracings): its tokens count once. */
  secondTracing: boolean;
}

/**
 * How assembly sees a span before any event joins it (events never change it: adapters match
 * and name the operation on the span alone): invoke_agent, another GenAI span, or a span no
 * adapter recognises (HTTP, DB...).
 */
export type SpanRole = 'agent' | 'genai' | 'none';

export function spanRoleOf(span: SpanRecord): SpanRole {
  const reading = readSpan(span, []);
  if (reading === null) return 'none';
  return reading.facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT ? 'agent' : 'genai';
}

/**
 * Interactions of one trace, in start order of their interaction span. Pure: no I/O, no clock.
 * Also of a part of a trace closed downwards (every span beneath each span given is given) and the
 * log records naming its spans: the interactions beneath its top-most GenAI spans are then those
 * of the whole trace, but for their `events`, which lack evaluation records naming no span of the
 * part (joinEvaluationsByResponseId).
 */
export function buildInteractions(spans: readonly SpanRecord[], logs: readonly LogRecord[]): Interaction[] {
  const byId = uniqueSpans(spans);
  const joined = joinEvents(byId, logs);
  const nodes: Node[] = [...byId.values()].sort(compareSpans).map((span) => {
    const events = joined.bySpan.get(span.spanId) ?? [];
    const reading = readSpan(span, events);
    return {
      span, facts: reading?.facts ?? null, conventions: reading?.conventions ?? [], events, children: [],
      treeParent: null, visited: false, containsAgent: false, tokens: noTokens(), owner: null, secondTracing: false,
    };
  });
  const nodeById = new Map<string, Node>();
  for (const node of nodes) nodeById.set(node.span.spanId, node);
  joinEvaluationsByResponseId(nodes, joined.evaluationsByResponseId);

  const order = walk(nodes, nodeById);
  markSecondTracings(nodes);
  for (let i = order.length - 1; i >= 0; i--) summarise(order[i] as Node);
  for (const node of order) node.owner = ownerOf(node);

  const members = new Map<Node, Node[]>();
  for (const node of nodes) {
    if (node.owner === null) continue;
    const list = members.get(node.owner);
    if (list === undefined) members.set(node.owner, [node]);
    else if (node === node.owner) list.unshift(node);
    else list.push(node);
  }
  const interactions: Interaction[] = [];
  for (const node of nodes) {
    const folded = members.get(node);
    if (node.owner === node && folded !== undefined) interactions.push(toInteraction(node, folded));
  }
  return interactions;
}

/** One span per id. Retried exports may repeat a span; the copy that ended last is kept. */
function uniqueSpans(spans: readonly SpanRecord[]): Map<string, SpanRecord> {
  const byId = new Map<string, SpanRecord>();
  for (const span of spans) {
    const seen = byId.get(span.spanId);
    if (seen === undefined || span.endTimeUnixNano > seen.endTimeUnixNano) byId.set(span.spanId, span);
  }
  return byId;
}

function compareSpans(x: SpanRecord, y: SpanRecord): number {
  return compareBigint(x.startTimeUnixNano, y.startTimeUnixNano) || (x.spanId < y.spanId ? -1 : x.spanId > y.spanId ? 1 : 0);
}

function noTokens(): TokenCounts {
  return { inputTokens: null, outputTokens: null, cacheReadInputTokens: null, cacheCreationInputTokens: null, reasoningOutputTokens: null };
}

/**
 * gen_ai.evaluation.result records without a known span id join the span with their response id;
 * the first such span in start order takes them, so no record is counted twice.
 */
function joinEvaluationsByResponseId(nodes: readonly Node[], byResponseId: ReadonlyMap<string, InteractionEvent[]>): void {
  if (byResponseId.size === 0) return;
  const taken = new Set<string>();
  for (const node of nodes) {
    const responseId = node.facts?.responseId ?? null;
    if (responseId === null || taken.has(responseId)) continue;
    const evaluations = byResponseId.get(responseId);
    if (evaluations === undefined) continue;
    taken.add(responseId);
    const joined = evaluations.map((e) => ({ ...e, spanId: node.span.spanId }));
    node.events = [...node.events, ...joined].sort((x, y) => compareBigint(x.timeUnixNano, y.timeUnixNano));
  }
}

/**
 * One model call traced by two instrumentations (OpenInference's LangChain span around the call
 * and an openai-client instrumentation's span of the request, side by side as LangChain's callbacks
 * do not make their span current): model-call spans of different instrumentation scopes with the
 * same response id whose times overlap. The first of them (earliest start, then the longest, then
 * by scope name) is counted; the others' tokens are not counted again. Overlap rather than strict
 * nesting: the two end in callbacks of their own, which can finish in either order. Only spans
 * that are given are compared, and both lie beneath the same GenAI span when they trace one call,
 * so a rebuilt subtree marks the same spans.
 */
function markSecondTracings(nodes: readonly Node[]): void {
  const byResponseId = new Map<string, Node[]>();
  for (const node of nodes) {
    const id = node.facts?.responseId ?? null;
    if (id === null || !semconv.GEN_AI_INFERENCE_OPERATIONS.has(node.facts?.operation ?? '')) continue;
    const list = byResponseId.get(id);
    if (list === undefined) byResponseId.set(id, [node]);
    else list.push(node);
  }
  for (const calls of byResponseId.values()) {
    if (calls.length < 2) continue;
    const first = [...calls].sort((a, b) =>
      compareNano(a.span.startTimeUnixNano, b.span.startTimeUnixNano)
      || compareNano(b.span.endTimeUnixNano, a.span.endTimeUnixNano)
      || (a.span.scope.name < b.span.scope.name ? -1 : a.span.scope.name > b.span.scope.name ? 1 : 0))[0] as Node;
    for (const other of calls) {
      other.secondTracing = other !== first && other.span.scope.name !== first.span.scope.name
        && compareNano(other.span.startTimeUnixNano, first.span.endTimeUnixNano) <= 0
        && compareNano(first.span.startTimeUnixNano, other.span.endTimeUnixNano) <= 0;
    }
  }
}

/** Orders two unix-nano timestamps. */
function compareNano(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Pre-order of the span trees. Tops are spans whose parent is absent. Spans left unvisited sit
 * on a parent cycle (malformed input): the earliest of them is made a top, until none is left.
 */
function walk(nodes: readonly Node[], nodeById: ReadonlyMap<string, Node>): Node[] {
  const tops: Node[] = [];
  for (const node of nodes) {
    const parentId = node.span.parentSpanId;
    const parent = parentId === null || parentId === node.span.spanId ? undefined : nodeById.get(parentId);
    if (parent === undefined) tops.push(node);
    else parent.children.push(node);
  }
  const order: Node[] = [];
  for (const top of tops) visitFrom(top, order);
  if (order.length < nodes.length) for (const node of nodes) if (!node.visited) visitFrom(node, order);
  return order;
}

/** Appends `top` and the spans beneath it to `order`, parents before children. */
function visitFrom(top: Node, order: Node[]): void {
  top.visited = true;
  const stack = [top];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    order.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i] as Node;
      if (child.visited) continue;
      child.visited = true;
      child.treeParent = node;
      stack.push(child);
    }
  }
}

function isAgent(node: Node): boolean {
  return node.facts?.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT;
}

/**
 * Bottom-up facts of a subtree (children are summarised first). Tokens, per field: a span's
 * subtree reports the sum over its children's subtrees when any child subtree reports the field,
 * else the span's own count. So an agent span with run totals (the `ai` package's run spans, per
 * its telemetry docs) is not added to its LLM calls; it counts only when no call beneath reports.
 * Null means no span reported the field, never zero.
 */
function summarise(node: Node): void {
  let containsAgent = isAgent(node);
  const sum = noTokens();
  for (const child of node.children) {
    if (child.treeParent !== node) continue;
    containsAgent ||= child.containsAgent;
    for (const field of TOKEN_FIELDS) {
      const count = child.tokens[field];
      if (count !== null) sum[field] = (sum[field] ?? 0) + count;
    }
  }
  node.containsAgent = containsAgent;
  const own = node.secondTracing ? null : node.facts;
  for (const field of TOKEN_FIELDS) node.tokens[field] = sum[field] ?? own?.[field] ?? null;
}

/** Called in pre-order, so the tree parent's owner is already known. */
function ownerOf(node: Node): Node | null {
  const inherited = node.treeParent?.owner ?? null;
  if (inherited !== null) return inherited;
  if (node.facts === null) return null;
  return isAgent(node) || !node.containsAgent ? node : null;
}

/** A span that ended in error, unless only a hand-off passed through it (SpanFacts.controlFlow). */
function isFailed(node: Node): boolean {
  const span = node.span;
  if (node.facts?.controlFlow === true) return false;
  return span.status.code === 2 || span.attributes[semconv.ATTR_ERROR_TYPE] !== undefined;
}

function durationMs(span: SpanRecord): number {
  return Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
}

/**
 * `folded` starts with the interaction span, then every span beneath it in start order.
 * Precedence of single-valued facts: the interaction span's own, then its LLM calls in start
 * order, then its other GenAI spans. userInput and systemInstructions come from the interaction
 * span, else the first LLM call that reported them; response and finishReasons from the
 * interaction span, else the last LLM call that reported them.
 */
function toInteraction(root: Node, folded: readonly Node[]): Interaction {
  const rootFacts = root.facts as SpanFacts;
  const llmCalls: SpanFacts[] = [];
  const others: SpanFacts[] = [];
  for (const node of folded) {
    if (node === root || node.facts === null) continue;
    if (semconv.GEN_AI_INFERENCE_OPERATIONS.has(node.facts.operation ?? '')) llmCalls.push(node.facts);
    else others.push(node.facts);
  }
  const ordered = [rootFacts, ...llmCalls, ...others];
  const span = root.span;
  const failed = folded.filter(isFailed);
  return {
    id: `${span.traceId}-${span.spanId}`,
    traceId: span.traceId,
    spanId: span.spanId,
    operation: rootFacts.operation ?? 'unknown',
    name: span.name,
    startTimeUnixNano: span.startTimeUnixNano,
    responseTimeMs: durationMs(span),
    timeToFirstTokenMs: rootFacts.timeToFirstTokenMs ?? llmCalls[0]?.timeToFirstTokenMs ?? null,
    sessionId: firstReported(ordered, 'sessionId'),
    userId: firstReported(ordered, 'userId'),
    agentName: firstReported(ordered, 'agentName'),
    agentId: firstReported(ordered, 'agentId'),
    serviceName: stringOf(span.resource.attributes[semconv.ATTR_SERVICE_NAME]),
    serviceVersion: stringOf(span.resource.attributes[semconv.ATTR_SERVICE_VERSION]),
    systemInstructions: rootFacts.systemInstructions ?? firstCallReporting(llmCalls, 'systemInstructions')?.systemInstructions ?? null,
    userInput: rootFacts.inputMessages ?? firstCallReporting(llmCalls, 'inputMessages')?.inputMessages ?? null,
    response: rootFacts.outputMessages ?? lastCallReporting(llmCalls, 'outputMessages')?.outputMessages ?? null,
    requestModel: firstReported(ordered, 'requestModel'),
    responseModel: firstReported(ordered, 'responseModel'),
    provider: firstReported(ordered, 'provider'),
    ...root.tokens,
    finishReasons: rootFacts.finishReasons ?? lastCallReporting(llmCalls, 'finishReasons')?.finishReasons ?? [],
    tools: folded.filter(isToolSpan).map(toToolCall),
    subAgents: subAgentsOf(root, folded, firstReported(ordered, 'agentName')),
    intent: firstReported(ordered, 'intent'),
    confidence: firstReported(ordered, 'confidence'),
    knowledgeSources: knowledgeSourcesOf(folded),
    promptVersion: firstReported(ordered, 'promptVersion'),
    expectedOutput: firstReported(ordered, 'expectedOutput'),
    status: failed.length > 0 ? 'error' : span.status.code === 1 ? 'ok' : 'unset',
    // error.type, else what the span's adapter read (OpenInference and the AI SDK record the
    // exception event only).
    errorType: failed.map((n) => stringOf(n.span.attributes[semconv.ATTR_ERROR_TYPE]) ?? n.facts?.errorType ?? null)
      .find((t) => t !== null) ?? null,
    errorMessage: failed.map((n) => n.span.status.message).find((m) => m !== '') ?? null,
    spanIds: folded.map((n) => n.span.spanId),
    events: eventsOf(folded),
    conventions: conventionsOf(folded),
  };
}

function firstReported<K extends keyof SpanFacts>(ordered: readonly SpanFacts[], field: K): SpanFacts[K] | null {
  for (const facts of ordered) if (facts[field] !== null) return facts[field];
  return null;
}

function firstCallReporting(llmCalls: readonly SpanFacts[], field: keyof SpanFacts): SpanFacts | undefined {
  return llmCalls.find((facts) => facts[field] !== null);
}

function lastCallReporting(llmCalls: readonly SpanFacts[], field: keyof SpanFacts): SpanFacts | undefined {
  return llmCalls.findLast((facts) => facts[field] !== null);
}

function isToolSpan(node: Node): boolean {
  return node.facts?.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
}

/** The name an agent span goes by: its `gen_ai.agent.name`, else the graph node's or the span's name. */
function agentNameOf(node: Node): string {
  return node.facts?.agentName ?? node.facts?.graphNode ?? node.span.name;
}

/**
 * The agents that ran beneath the interaction's own: nested agent spans and graph nodes running a
 * graph of their own (SpanFacts.graphNode). One that is the interaction's agent itself (its name is
 * its parent's, or the interaction's when it has no parent: a workflow span around the agent's run,
 * a supervisor graph's own agent node) is no hand-off and is left out.
 */
function subAgentsOf(root: Node, folded: readonly Node[], agentName: string | null): SubAgent[] {
  return folded
    .filter((n) => n !== root && (isAgent(n) || runsSubgraph(n)))
    .map(toSubAgent)
    .filter((sub) => sub.name !== (sub.parent ?? agentName));
}

/** A graph node span whose child of the same name is the run of the graph it holds. */
function runsSubgraph(node: Node): boolean {
  const nodeName = node.facts?.graphNode ?? null;
  return nodeName !== null && node.children.some((c) => c.treeParent === node && c.span.name === nodeName && c.facts?.graphNode === nodeName);
}

function toSubAgent(node: Node): SubAgent {
  let above = node.treeParent;
  while (above !== null && !isAgent(above)) above = above.treeParent;
  return {
    name: agentNameOf(node),
    spanId: node.span.spanId,
    parent: node.facts?.handoffParent ?? (above === null ? null : (above.facts?.agentName ?? null)),
    status: isFailed(node) ? 'error' : node.span.status.code === 1 ? 'ok' : 'unset',
    durationMs: durationMs(node.span),
  };
}

function toToolCall(node: Node): ToolCall {
  const facts = node.facts as SpanFacts;
  const span = node.span;
  let error: string | null = null;
  if (isFailed(node)) error = facts.errorType ?? (span.status.message !== '' ? span.status.message : '_OTHER');
  return {
    name: facts.toolName ?? span.name,
    callId: facts.toolCallId,
    spanId: span.spanId,
    durationMs: durationMs(span),
    error,
    arguments: facts.toolArguments,
    result: facts.toolResult,
  };
}

/** Every source any span of the interaction relied on, first mention first. */
function knowledgeSourcesOf(folded: readonly Node[]): string[] {
  const sources = new Set<string>();
  for (const node of folded) for (const source of node.facts?.knowledgeSources ?? []) sources.add(source);
  return [...sources];
}

/** Events of all folded spans by time; ties keep span order, then each span's own event order. */
function eventsOf(folded: readonly Node[]): InteractionEvent[] {
  const events: InteractionEvent[] = [];
  for (const node of folded) events.push(...node.events);
  return events.sort((x, y) => compareBigint(x.timeUnixNano, y.timeUnixNano));
}

function conventionsOf(folded: readonly Node[]): string[] {
  const used = new Set<string>();
  for (const node of folded) for (const name of node.conventions) used.add(name);
  return ADAPTERS.filter((a) => used.has(a.name)).map((a) => a.name);
}
