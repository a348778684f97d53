// traceTool(): one `execute_tool {name}` span per tool execution, a child of the interaction
// (or model call) it runs in. Arguments and result are recorded only under content capture.
import { type Attributes, SpanKind, context, diag, trace } from '@opentelemetry/api';
import { isCaptureContentOn } from './capture.ts';
import { toAttributeText } from './messages.ts';
import { runInSpan } from './scope.ts';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
} from './semconv.ts';
import type { ToolCallOptions } from './types.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);

/**
 * Runs `fn`, one execution of a tool, inside an `execute_tool {name}` span, and returns what it
 * returns (sync or a promise). Errors are recorded on the span and rethrown unchanged.
 */
export function traceTool<R>(tool: string | ToolCallOptions, fn: () => R): R {
  let started;
  try {
    started = startTool(typeof tool === 'string' ? { name: tool } : tool);
  } catch (err) {
    diag.error('@agent-flywheel/instrumentation: tool call not traced', err);
    return fn();
  }
  const { span, recordResult } = started;
  const onValue = recordResult
    ? (value: unknown) => {
        const result = toAttributeText(value);
        if (result !== undefined) span.setAttribute(ATTR_GEN_AI_TOOL_CALL_RESULT, result);
      }
    : undefined;
  return runInSpan(span, trace.setSpan(context.active(), span), fn, onValue);
}

function startTool(tool: ToolCallOptions) {
  const name = typeof tool.name === 'string' && tool.name !== '' ? tool.name : undefined;
  if (name === undefined) diag.warn('@agent-flywheel/instrumentation: traceTool() needs a tool name');
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    [ATTR_GEN_AI_TOOL_TYPE]: tool.type ?? 'function',
  };
  if (name !== undefined) attributes[ATTR_GEN_AI_TOOL_NAME] = name;
  if (typeof tool.callId === 'string') attributes[ATTR_GEN_AI_TOOL_CALL_ID] = tool.callId;
  if (typeof tool.description === 'string') attributes[ATTR_GEN_AI_TOOL_DESCRIPTION] = tool.description;
  const span = tracer.startSpan(name ? `execute_tool ${name}` : 'execute_tool', { kind: SpanKind.INTERNAL, attributes });
  const recordResult = span.isRecording() && isCaptureContentOn();
  if (recordResult && tool.arguments !== undefined) {
    const args = toAttributeText(tool.arguments);
    if (args !== undefined) span.setAttribute(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, args);
  }
  return { span, recordResult };
}
