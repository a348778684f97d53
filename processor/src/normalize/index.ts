// The normalize stage: the spans and GenAI log records of one trace in, its interactions out.
// Pure: no I/O, no clock. Convention adapters are listed in registry.ts.
export { buildInteractions, type SpanRole, spanRoleOf } from './assemble.ts';
export { type Feedback, feedbackFromLogs, type KeyedLogRecord, scoreOf, type StoredFeedback, USER_FEEDBACK } from './feedback.ts';
export type { Interaction, InteractionEvent, Message, SubAgent, ToolCall } from './interaction.ts';
export type { ConventionAdapter, SpanFacts } from './convention.ts';
