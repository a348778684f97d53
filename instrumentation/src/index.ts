// @agent-flywheel/instrumentation: trace an agent with OpenTelemetry GenAI spans and send its
// interactions and feedback over OTLP to the agent-flywheel processor.
export { register } from './sdk.ts';
export { withInteraction } from './interaction.ts';
export { traceTool } from './tool.ts';
export { recordFeedback } from './feedback.ts';
export { knowledge } from './knowledge.ts';
export type {
  FeedbackOptions,
  FlywheelConfig,
  FlywheelHandle,
  InteractionHandle,
  InteractionOptions,
  KnowledgeClient,
  KnowledgeGuidance,
  KnowledgeItem,
  KnowledgeOptions,
  ToolCallOptions,
} from './types.ts';
