// Insights (the seed's generate_training_updates): the open patterns of an agent said in words,
// as what to reinforce (success patterns), what to avoid (failure patterns) and what to improve
// (a recommendation per failure pattern: the judge's where one wrote it, else a rule by the
// segment's first field). Pure: patterns in, insights out.

export interface InsightPattern {
  id: string;
  kind: 'failure' | 'success';
  segment: Record<string, string>;
  n: number;
  rate: number;
  baseline: number;
  examples: readonly string[];
  recommendation?: string | null;
}

export interface Insight {
  text: string;
  patternId: string;
  evidence: { n: number; rate: number; baseline: number; examples: string[] };
}

export interface Insights {
  reinforce: Insight[];
  avoid: Insight[];
  suggested_improvements: Insight[];
}

/** How a fact reads in a sentence, by its field. `labels` names topic clusters by their label. */
function describe(field: string, value: string, labels: ReadonlyMap<string, string>): string {
  switch (field) {
    case 'tool_failed': return `the tool '${value}' fails`;
    case 'tool': return `the tool '${value}' is called`;
    case 'intent': return `the intent is '${value}'`;
    case 'topic': return `the question is about '${labels.get(value) ?? value}'`;
    case 'model': return `the model is '${value}'`;
    case 'prompt_version': return `the prompt version is '${value}'`;
    case 'service_version': return `the service version is '${value}'`;
    case 'knowledge_source': return `the answer relies on '${value}'`;
    case 'error.type': return `the error '${value}' occurs`;
    case 'finish_reason': return `the answer ends with finish reason '${value}'`;
    case 'signal': return `the user's next step is a ${value.replaceAll('_', ' ')}`;
    case 'sub_agent': return `the sub-agent '${value}' runs`;
    default: return `${field} is '${value}'`;
  }
}

/** The rule-based recommendation for a failure pattern, by the most actionable field of its segment. */
function recommend(segment: Record<string, string>, labels: ReadonlyMap<string, string>): string {
  const has = (field: string) => segment[field];
  if (has('tool_failed')) return `Make the tool '${segment.tool_failed}' more reliable (timeouts, retries, input validation) or give the agent a fallback answer when it fails.`;
  if (has('knowledge_source')) return `Review and refresh the knowledge source '${segment.knowledge_source}': answers that rely on it fail often, which is what stale content looks like.`;
  if (has('error.type')) return `Handle the error '${segment['error.type']}': catch it where it is raised and answer the user with what can still be done.`;
  if (has('prompt_version')) return `Review prompt version '${segment.prompt_version}' against the others (GET /api/variants?by=prompt_version) and roll it back if it is worse.`;
  if (has('model')) return `Compare another model on these interactions (GET /api/variants?by=model).`;
  if (has('service_version')) return `Compare release '${segment.service_version}' with the one before it (GET /api/variants?by=service_version).`;
  if (has('finish_reason')) return `Answers ending with '${segment.finish_reason}' are often cut off or filtered: raise the output token limit or shorten the context.`;
  if (has('intent')) return `Add knowledge and worked examples for '${segment.intent}' questions, or route them to a specialised agent or tool.`;
  if (has('topic')) return `Add knowledge and worked examples for questions about '${labels.get(segment.topic as string) ?? segment.topic}'.`;
  if (has('sub_agent')) return `Review the hand-off to the sub-agent '${segment.sub_agent}': runs through it fail often.`;
  if (has('tool')) return `Review how and when the tool '${segment.tool}' is used: interactions that call it fail often.`;
  if (has('signal')) return `Users ${segment.signal}: answer the first time in full, and ask a clarifying question when the request is ambiguous.`;
  return 'Review the example interactions of this pattern.';
}

const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** The insights of one agent's open patterns (already sorted, most significant first). */
export function insightsOf(patterns: readonly InsightPattern[], labels: ReadonlyMap<string, string> = new Map()): Insights {
  const out: Insights = { reinforce: [], avoid: [], suggested_improvements: [] };
  for (const p of patterns) {
    const when = Object.entries(p.segment).map(([field, value]) => describe(field, value, labels)).join(' and ');
    const evidence = { n: p.n, rate: p.rate, baseline: p.baseline, examples: [...p.examples] };
    if (p.kind === 'success') {
      out.reinforce.push({
        text: `When ${when}, ${percent(p.rate)} of interactions succeed (the agent's baseline is ${percent(p.baseline)}, n = ${p.n}): keep doing it.`,
        patternId: p.id, evidence,
      });
    } else {
      out.avoid.push({
        text: `When ${when}, ${percent(p.rate)} of interactions fail (the agent's baseline is ${percent(p.baseline)}, n = ${p.n}).`,
        patternId: p.id, evidence,
      });
      out.suggested_improvements.push({ text: p.recommendation ?? recommend(p.segment, labels), patternId: p.id, evidence });
    }
  }
  return out;
}
