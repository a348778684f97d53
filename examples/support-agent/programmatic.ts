// The programmatic start: register() first, then load the app, so that `openai` is patched
// when the app imports it (static imports would be evaluated before register() runs).
//
//   node examples/support-agent/programmatic.ts [same arguments as main.ts]
import { register } from '@agent-flywheel/instrumentation';

const flywheel = register({
  serviceName: 'support-agent',
  // endpoint defaults to OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318 (the processor)
  captureContent: true,
});
try {
  await import('./main.ts');
} finally {
  await flywheel.shutdown(); // exports what is still queued
}
