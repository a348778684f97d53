// Other OpenTelemetry instrumentations named in FLYWHEEL_INSTRUMENTATIONS: imported, instantiated
// and enabled on the SDK's (global) providers once register() has started it, so the zero-code
// start instruments a LangGraph or OpenAI Agents SDK app with OpenInference (or any other
// instrumentation package) through this package's one pipeline.
//
// Packages are imported from where this package is installed (the app's node_modules). ES module
// apps cannot be patched through require hooks, so for the packages that document a manual step
// in ESM, that step is taken here on the ES module the app will import (the same module instance):
// - @arizeai/openinference-instrumentation-langchain: `manuallyInstrument(CallbackManagerModule)`
//   on `@langchain/core/callbacks/manager` (its README: "The callbacks manager must be manually
//   instrumented due to the non-traditional module structure in @langchain/core").
// - @arizeai/openinference-instrumentation-openai-agents: `manuallyInstrument(agents)` on
//   `@openai/agents` (its README, "For ESM-only environments, pass the imported SDK namespace").
import { diag } from '@opentelemetry/api';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';

/** Package -> the ES module its manuallyInstrument() patches. */
export const MANUAL_TARGETS: Readonly<Record<string, string>> = {
  '@arizeai/openinference-instrumentation-langchain': '@langchain/core/callbacks/manager',
  '@arizeai/openinference-instrumentation-openai-agents': '@openai/agents',
};

type Importer = (specifier: string) => Promise<Record<string, unknown>>;
const importModule: Importer = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

interface ManualInstrumentation extends Instrumentation {
  manuallyInstrument(module: unknown): void;
}

/**
 * The instrumentation classes a package exports: constructors whose prototype has enable(),
 * disable() and setTracerProvider() (an InstrumentationBase subclass), or the one named after `#`.
 */
export function instrumentationClassesOf(entry: string, exports: Record<string, unknown>): [string, new () => Instrumentation][] {
  const [, exportName] = entry.split('#');
  const classes = Object.entries(exports).filter(([name, value]) => {
    if (exportName !== undefined && name !== exportName) return false;
    const proto = (value as { prototype?: Record<string, unknown> } | null)?.prototype;
    return typeof value === 'function' && proto !== undefined
      && typeof proto.enable === 'function' && typeof proto.disable === 'function' && typeof proto.setTracerProvider === 'function';
  });
  return classes as [string, new () => Instrumentation][];
}

/**
 * Imports each package, enables every instrumentation class it exports on the global providers
 * (those register() just set), and takes the package's manual ESM step when it has one. Returns
 * the names of the instrumentations enabled; a package that fails is reported and skipped.
 */
export async function loadInstrumentations(entries: readonly string[], load: Importer = importModule): Promise<string[]> {
  const enabled: string[] = [];
  for (const entry of entries) {
    const pkg = entry.split('#')[0] as string;
    try {
      const classes = instrumentationClassesOf(entry, await load(pkg));
      if (classes.length === 0) throw new Error(`it exports no OpenTelemetry instrumentation class${entry.includes('#') ? ` named ${entry.split('#')[1]}` : ''}`);
      const instances = classes.map(([, Class]) => new Class());
      registerInstrumentations({ instrumentations: instances });
      const target = MANUAL_TARGETS[pkg];
      if (target !== undefined) {
        const module = await load(target);
        for (const instance of instances) {
          if (typeof (instance as Partial<ManualInstrumentation>).manuallyInstrument === 'function') {
            (instance as ManualInstrumentation).manuallyInstrument(module);
          }
        }
      }
      enabled.push(...instances.map((i) => i.instrumentationName));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      diag.error(`@agent-flywheel/instrumentation: FLYWHEEL_INSTRUMENTATIONS: ${entry} not enabled: ${reason}`);
      console.error(`@agent-flywheel/instrumentation: FLYWHEEL_INSTRUMENTATIONS: ${entry} not enabled: ${reason}`);
    }
  }
  return enabled;
}
