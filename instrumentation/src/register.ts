// Zero-code start: `node --import @agent-flywheel/instrumentation/register app.js`.
// Starts the SDK from the standard OTEL_* env vars (register() also installs the ESM import
// hook, before the app is loaded) and flushes on SIGTERM and before a normal exit. If anything
// goes wrong the app still runs, uninstrumented, with one line on stderr saying why. The
// instrumentations named in FLYWHEEL_INSTRUMENTATIONS are loaded before the app is (top-level
// await: Node runs the app once this module has settled).
import { register } from './sdk.ts';

try {
  const flywheel = register();
  await flywheel.ready();
  process.once('beforeExit', () => void flywheel.shutdown());
  process.once('SIGTERM', () => {
    void flywheel.shutdown().finally(() => {
      // Listening to SIGTERM cancels Node's default exit; restore it unless the app listens too.
      if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
    });
  });
} catch (error) {
  console.error(
    `@agent-flywheel/instrumentation: not instrumented: ${error instanceof Error ? error.message : String(error)}`,
  );
}
