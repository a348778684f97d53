// FLYWHEEL_INSTRUMENTATIONS: which exports of a package are instrumentations, and the manual ESM
// step of the packages that need one, read from the real packages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANUAL_TARGETS, instrumentationClassesOf } from '../src/other-instrumentations.ts';

test('the instrumentation classes of a real package are found among its exports; #Export picks one', async () => {
  const exports = (await import('@arizeai/openinference-instrumentation-langchain')) as Record<string, unknown>;
  assert.deepEqual(instrumentationClassesOf('@arizeai/openinference-instrumentation-langchain', exports).map(([name]) => name), ['LangChainInstrumentation']);
  assert.deepEqual(instrumentationClassesOf('@arizeai/openinference-instrumentation-langchain#LangChainInstrumentation', exports).map(([name]) => name), ['LangChainInstrumentation']);
  assert.deepEqual(instrumentationClassesOf('@arizeai/openinference-instrumentation-langchain#Other', exports), []);
  // Not an instrumentation package: nothing.
  assert.deepEqual(instrumentationClassesOf('zod', (await import('zod')) as Record<string, unknown>), []);
});

test('the LangChain instrumentation is patched by hand on the callback manager module, which has what it patches', async () => {
  const target = MANUAL_TARGETS['@arizeai/openinference-instrumentation-langchain']!;
  const module = (await import(target)) as Record<string, unknown>;
  assert.equal(typeof module.CallbackManager, 'function');
});
