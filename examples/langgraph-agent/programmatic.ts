// The programmatic start: register() with OpenInference's LangChain instrumentation among its
// instrumentations (one tracer provider for both), the callback manager patched by hand as that
// instrumentation's README asks in ESM, then the app loaded.
//
//   node examples/langgraph-agent/programmatic.ts [same arguments as main.ts]
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { register } from '@agent-flywheel/instrumentation';

const langchain = new LangChainInstrumentation();
const flywheel = register({
  serviceName: 'langgraph-agent',
  // endpoint defaults to OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318 (the processor)
  captureContent: true,
  instrumentations: [langchain],
});
langchain.manuallyInstrument(CallbackManagerModule);
try {
  await import('./main.ts');
} finally {
  await flywheel.shutdown(); // exports what is still queued
}
