// One zod schema for the options of register() and the OTel env vars behind them
// (documented in types.ts). Options win over env vars, env vars over defaults. Validation
// happens once, in register(); a bad value is a ConfigError naming the option or variable,
// the expected form and what was given.
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { z } from 'zod';
import type { FlywheelConfig } from './types.ts';

/** The configuration register() runs with. */
export interface ResolvedConfig {
  serviceName: string | undefined;
  /**
   * Only set when given as an option: otherwise the OTLP exporters read
   * OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT themselves, as the spec says.
   */
  endpoint: string | undefined;
  /** Only what was given as an option; the exporters merge them over OTEL_EXPORTER_OTLP_HEADERS. */
  headers: Record<string, string> | undefined;
  protocol: 'http/protobuf' | 'http/json';
  captureContent: boolean;
  maxQueueSize: number;
  /** Other OTel instrumentations given to register(), enabled on its providers. */
  instrumentations: Instrumentation[];
  /** FLYWHEEL_INSTRUMENTATIONS: packages (`name` or `name#Export`) register() imports and enables. */
  instrumentationPackages: string[];
}

export const DEFAULT_PROTOCOL = 'http/protobuf';
export const DEFAULT_MAX_QUEUE_SIZE = 2048;

/** An option or env var with a value that does not fit; the message says which, and the form. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

const CAPTURE_VALUES: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  // The enum spellings of python's opentelemetry-util-genai. Content only goes on spans here,
  // so EVENT_ONLY means "none on spans".
  span_only: true,
  span_and_event: true,
  no_content: false,
  event_only: false,
};

/** Parses OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT; undefined when unset or not understood. */
export function parseCaptureContent(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return CAPTURE_VALUES[value.trim().toLowerCase()];
}

interface Setting {
  key: keyof FlywheelConfig;
  env: string | undefined;
  expected: string;
  option: z.ZodType;
  fromEnv: z.ZodType;
}

const protocolSchema = z.enum(['http/protobuf', 'http/json']);

/** The members of @opentelemetry/instrumentation's Instrumentation interface registration calls. */
const isInstrumentation = (value: unknown): value is Instrumentation => {
  const i = value as Record<string, unknown> | null;
  return typeof i === 'object' && i !== null && typeof i.instrumentationName === 'string' && typeof i.enable === 'function'
    && typeof i.disable === 'function' && typeof i.setTracerProvider === 'function' && typeof i.getConfig === 'function';
};

/** An npm package name, optionally `#ExportName` (the instrumentation class it exports). */
const PACKAGE_ENTRY = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(#[A-Za-z_$][\w$]*)?$/;
export const INSTRUMENTATIONS_ENV = 'FLYWHEEL_INSTRUMENTATIONS';
const queueSizeSchema = z.number().int().min(1).max(1_000_000);

const SETTINGS: readonly Setting[] = [
  {
    key: 'serviceName',
    env: 'OTEL_SERVICE_NAME',
    expected: 'a non-empty string',
    option: z.string().min(1),
    fromEnv: z.string().min(1),
  },
  {
    key: 'endpoint',
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    expected: 'an absolute http(s) URL such as http://localhost:4318',
    option: z.string().refine(isHttpUrl),
    fromEnv: z.string().refine(isHttpUrl),
  },
  {
    key: 'headers',
    env: undefined, // read and merged by the exporters themselves
    expected: 'an object of string header values',
    option: z.record(z.string().min(1), z.string()),
    fromEnv: z.never(),
  },
  {
    key: 'protocol',
    env: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    expected: "'http/protobuf' or 'http/json' (the processor speaks OTLP/HTTP, not grpc)",
    option: protocolSchema,
    fromEnv: z.string().trim().pipe(protocolSchema),
  },
  {
    key: 'captureContent',
    env: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
    expected: 'true, false, NO_CONTENT, SPAN_ONLY, EVENT_ONLY or SPAN_AND_EVENT',
    option: z.boolean(),
    fromEnv: z.string().transform((v, ctx) => parseCaptureContent(v) ?? (ctx.addIssue('unknown value'), z.NEVER)),
  },
  {
    key: 'instrumentations',
    env: undefined, // packages to load come from FLYWHEEL_INSTRUMENTATIONS, read below
    expected: 'an array of OpenTelemetry instrumentations (instances of an InstrumentationBase subclass)',
    option: z.array(z.custom<Instrumentation>(isInstrumentation)),
    fromEnv: z.never(),
  },
  {
    key: 'maxQueueSize',
    env: 'OTEL_BSP_MAX_QUEUE_SIZE',
    expected: 'an integer from 1 to 1000000',
    option: queueSizeSchema,
    fromEnv: z.coerce.number().pipe(queueSizeSchema),
  },
];

const KNOWN_OPTIONS = new Set<string>(SETTINGS.map((s) => s.key));

/**
 * Builds the configuration from register()'s options and the environment.
 * Throws a ConfigError naming every bad value, e.g.
 * "register() option endpoint must be an absolute http(s) URL ..., got 'localhost'".
 */
export function resolveConfig(
  options: FlywheelConfig | undefined,
  env: Record<string, string | undefined> = process.env,
): ResolvedConfig {
  const given = (options ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ConfigError(`register() takes an options object, got ${describe(given)}`);
  }
  const problems: string[] = [];
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) {
      problems.push(`register() has no option '${key}'; the options are ${[...KNOWN_OPTIONS].join(', ')}`);
    }
  }
  const values: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const option = given[s.key];
    if (option !== undefined) {
      const parsed = s.option.safeParse(option);
      if (parsed.success) values[s.key] = parsed.data;
      else problems.push(`register() option ${s.key} must be ${s.expected}, got ${describe(option)}`);
      continue;
    }
    const raw = s.env === undefined ? undefined : env[s.env];
    if (raw === undefined || raw === '') continue; // the spec treats empty as unset
    const parsed = s.fromEnv.safeParse(raw);
    if (parsed.success) values[s.key] = parsed.data;
    else problems.push(`${s.env} must be ${s.expected}, got '${raw}'`);
  }
  const packages = (env[INSTRUMENTATIONS_ENV] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const badPackages = packages.filter((p) => !PACKAGE_ENTRY.test(p));
  if (badPackages.length > 0) {
    problems.push(`${INSTRUMENTATIONS_ENV} must be a comma-separated list of npm package names (each optionally #ExportName), got '${badPackages.join(',')}'`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return {
    serviceName: values.serviceName as string | undefined,
    endpoint: given.endpoint === undefined ? undefined : (values.endpoint as string),
    headers: values.headers as Record<string, string> | undefined,
    protocol: (values.protocol as ResolvedConfig['protocol'] | undefined) ?? DEFAULT_PROTOCOL,
    captureContent: (values.captureContent as boolean | undefined) ?? false,
    maxQueueSize: (values.maxQueueSize as number | undefined) ?? DEFAULT_MAX_QUEUE_SIZE,
    instrumentations: (values.instrumentations as Instrumentation[] | undefined) ?? [],
    instrumentationPackages: packages,
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  // Never the object itself: headers carry credentials.
  return Array.isArray(value) ? 'an array' : 'an object';
}
