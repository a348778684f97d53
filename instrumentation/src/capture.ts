// The content-capture switch: whether message content may be recorded at all. One switch for
// the whole package, read on every call before anything is serialized. It starts from
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (so withInteraction and traceTool behave
// the same under an SDK the app set up itself) and register() sets it from its options.
import { parseCaptureContent } from './config.ts';

let captureContent =
  parseCaptureContent(process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT) ?? false;

export function isCaptureContentOn(): boolean {
  return captureContent;
}

export function setCaptureContent(on: boolean): void {
  captureContent = on;
}
