// The openai patch, in the shape of the opentelemetry-js-contrib instrumentations: `create` of
// Chat Completions, Responses and Embeddings is wrapped on the resource prototypes of whichever
// `openai` (4.x to 7.x) is loaded, through require-in-the-middle (CommonJS) or
// import-in-the-middle (ESM, with the hook that register.ts installs).
//
// A telemetry bug must never become the agent's bug: the span is started in a try/catch that
// falls back to the plain call; the call itself runs unchanged and its result (the very same
// APIPromise) goes back to the app; everything else happens in side chains (openai-call.ts).
// Nothing is done beyond the plain call when instrumentation is disabled or the span is not
// recording, and no message is serialized unless content capture is on.
import { type Attributes, type Span, SpanKind, context, trace } from '@opentelemetry/api';
import {
  type InstrumentationConfig,
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { isCaptureContentOn } from './capture.ts';
import { interactionOf } from './interaction.ts';
import { toJson } from './messages.ts';
import { OpenAICall, type OpenAIApi } from './openai-call.ts';
import { chatInputMessages, chatRequestAttributes, chatToolDefinitions } from './openai-chat.ts';
import { embeddingsRequestAttributes } from './openai-embeddings.ts';
import {
  responsesInputMessages,
  responsesRequestAttributes,
  responsesSystemInstructions,
  responsesToolDefinitions,
} from './openai-responses.ts';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_OPENAI_API_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  OPENAI_API_TYPE_VALUE_CHAT_COMPLETIONS,
  OPENAI_API_TYPE_VALUE_RESPONSES,
} from './semconv.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

/** The `openai` majors this patch is written and tested for. */
export const SUPPORTED_OPENAI_VERSIONS = ['>=4.0.0 <8'];

type Create = (this: OpenAIResource, ...args: unknown[]) => unknown;

/** An openai API resource (`client.chat.completions`, `client.responses`...): it knows its client. */
interface OpenAIResource {
  _client?: { baseURL?: unknown };
}

interface OpenAIModule {
  OpenAI?: OpenAIClass;
  default?: OpenAIClass;
}

interface OpenAIClass {
  Chat?: { Completions?: { prototype: { create: Create } } };
  Responses?: { prototype: { create: Create } };
  Embeddings?: { prototype: { create: Create } };
}

export class OpenAIInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'openai',
      SUPPORTED_OPENAI_VERSIONS,
      (moduleExports: object) => this.patch(moduleExports),
      (moduleExports: object | undefined) => this.unpatch(moduleExports),
    );
  }

  /** Patches a loaded openai module (its exports, or ESM namespace). Public so tests can patch an aliased copy. */
  patch<M extends object>(moduleExports: M): M {
    const found = targets(moduleExports as OpenAIModule);
    if (found.length === 0) this._diag.warn('no OpenAI client class in this openai module: not instrumented');
    for (const [prototype, api] of found) {
      this._wrap(prototype, 'create', (original) => this._patchedCreate(original, api));
    }
    return moduleExports;
  }

  unpatch(moduleExports: object | undefined): void {
    if (moduleExports === undefined) return;
    for (const [prototype] of targets(moduleExports as OpenAIModule)) this._unwrap(prototype, 'create');
  }

  // Plain (not #private) methods: the base constructor may already patch a module loaded earlier,
  // before #private members of this subclass exist.
  private _patchedCreate(original: Create, api: OpenAIApi): Create {
    const instrumentation = this;
    return function patchedCreate(this: OpenAIResource, ...args: unknown[]): unknown {
      const call = instrumentation.isEnabled() ? instrumentation._startCall(api, this, args[0]) : undefined;
      if (call === undefined) return original.apply(this, args);
      let result: unknown;
      try {
        result = context.with(call.context, original, this, ...args);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      call.observe(result);
      return result;
    };
  }

  /** The call's span and its observer; undefined (plain call) when not recording or on any setup error. */
  private _startCall(api: OpenAIApi, resource: OpenAIResource, params: unknown): OpenAICall | undefined {
    let span: Span | undefined;
    try {
      if (typeof params !== 'object' || params === null) return undefined;
      const request = params as Record<string, unknown>;
      const operation = api === 'embeddings' ? GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS : GEN_AI_OPERATION_NAME_VALUE_CHAT;
      const model = typeof request.model === 'string' ? request.model : undefined;
      // All request attributes at creation: the sampling-relevant ones must be there (semconv),
      // and one pass over them is cheaper than setting the rest afterwards. No content here.
      const attributes: Attributes = {
        [ATTR_GEN_AI_OPERATION_NAME]: operation,
        [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
      };
      if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
      serverAttributes(resource?._client?.baseURL, attributes);
      const active = context.active();
      const interaction = interactionOf(active);
      if (interaction?.conversationId !== undefined) attributes[ATTR_GEN_AI_CONVERSATION_ID] = interaction.conversationId;
      const streaming = request.stream === true;
      if (streaming) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
      if (api === 'chat') {
        attributes[ATTR_OPENAI_API_TYPE] = OPENAI_API_TYPE_VALUE_CHAT_COMPLETIONS;
        chatRequestAttributes(request, attributes);
      } else if (api === 'responses') {
        attributes[ATTR_OPENAI_API_TYPE] = OPENAI_API_TYPE_VALUE_RESPONSES;
        responsesRequestAttributes(request, attributes);
      } else {
        embeddingsRequestAttributes(request, attributes);
      }
      span = this.tracer.startSpan(model ? `${operation} ${model}` : operation, { kind: SpanKind.CLIENT, attributes }, active);
      if (!span.isRecording()) return undefined;

      interaction?.noteProvider(GEN_AI_PROVIDER_NAME_VALUE_OPENAI);
      const withContent = isCaptureContentOn();
      if (withContent) {
        const content: Attributes = {};
        if (api === 'chat') {
          setJson(content, ATTR_GEN_AI_INPUT_MESSAGES, chatInputMessages(request));
          setJson(content, ATTR_GEN_AI_TOOL_DEFINITIONS, chatToolDefinitions(request));
        } else if (api === 'responses') {
          setJson(content, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, responsesSystemInstructions(request));
          setJson(content, ATTR_GEN_AI_INPUT_MESSAGES, responsesInputMessages(request));
          setJson(content, ATTR_GEN_AI_TOOL_DEFINITIONS, responsesToolDefinitions(request));
        }
        span.setAttributes(content);
      }
      return new OpenAICall(api, span, trace.setSpan(active, span), streaming, withContent);
    } catch (err) {
      this._diag.error('span not started, calling openai without it', err);
      span?.end();
      return undefined;
    }
  }
}

/** The prototypes whose `create` is patched, found on the OpenAI class of any supported major. */
function targets(moduleExports: OpenAIModule): [{ create: Create }, OpenAIApi][] {
  const OpenAI = moduleExports.OpenAI ?? moduleExports.default;
  const found: [{ create: Create } | undefined, OpenAIApi][] = [
    [OpenAI?.Chat?.Completions?.prototype, 'chat'],
    [OpenAI?.Responses?.prototype, 'responses'], // from openai 4.87
    [OpenAI?.Embeddings?.prototype, 'embeddings'],
  ];
  return found.filter((t): t is [{ create: Create }, OpenAIApi] => typeof t[0]?.create === 'function');
}

function setJson(attributes: Attributes, key: string, value: unknown): void {
  if (value === undefined) return;
  const json = toJson(value);
  if (json !== undefined) attributes[key] = json;
}

// server.address / server.port of each client's baseURL, parsed once per URL.
const servers = new Map<string, [string, number] | null>();
const MAX_SERVERS = 64;

function serverAttributes(baseURL: unknown, attributes: Attributes): void {
  if (typeof baseURL !== 'string') return;
  let server = servers.get(baseURL);
  if (server === undefined) {
    server = parseServer(baseURL);
    if (servers.size >= MAX_SERVERS) servers.clear();
    servers.set(baseURL, server);
  }
  if (server === null) return;
  attributes[ATTR_SERVER_ADDRESS] = server[0];
  attributes[ATTR_SERVER_PORT] = server[1];
}

function parseServer(baseURL: string): [string, number] | null {
  try {
    const url = new URL(baseURL);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return [url.hostname, port];
  } catch {
    return null;
  }
}
