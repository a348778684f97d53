// Runs the LangGraph agent on one question, prints the answer and, with --rating, sends the
// user's rating as feedback. Instrumented from outside (zero-code, `--import` with
// FLYWHEEL_INSTRUMENTATIONS naming OpenInference's LangChain instrumentation) or by
// programmatic.ts; this file only uses the agent-level API.
//
//   node examples/langgraph-agent/main.ts [--user ID] [--rating 1-5] [--comment TEXT] "question"
import { parseArgs } from 'node:util';
import { knowledge, recordFeedback } from '@agent-flywheel/instrumentation';
import { AGENT_NAME, answer } from './agent.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    user: { type: 'string', default: 'demo-user' },
    conversation: { type: 'string' },
    rating: { type: 'string' },
    comment: { type: 'string' },
  },
});

// What the flywheel learnt for this agent (FLYWHEEL_URL, FLYWHEEL_API_KEY); an unreachable
// processor leaves it empty and the agent answers without it.
const learned = knowledge({ agent: AGENT_NAME });
await learned.ready();
const result = await answer({ question: positionals.join(' ') || 'Where is my order A-1001?', userId: values.user, conversationId: values.conversation }, learned);
learned.close();
console.log(result.text);

if (values.rating !== undefined) {
  recordFeedback({ interaction: result.interactionId, rating: Number(values.rating), comment: values.comment, userId: values.user });
}
