// One instrumented openai call, from the span's start to its end. The call's result is observed,
// never altered: the APIPromise the app gets is openai's own (so `withResponse()`,
// `asResponse()` and `_thenUnwrap()` keep working and no body is parsed that the app did not
// ask for), and a stream is observed as the app reads it (stream.ts).
import { type Attributes, type Context, type Span, SpanStatusCode, diag } from '@opentelemetry/api';
import { recordFailure } from './failure.ts';
import { toJson } from './messages.ts';
import { ChatStreamSummary, chatOutputMessages, chatResponseAttributes } from './openai-chat.ts';
import { embeddingsResponseAttributes } from './openai-embeddings.ts';
import {
  type ResponseObject,
  type ResponseStreamEvent,
  responseErrorType,
  responsesOutputMessages,
  responsesResponseAttributes,
  terminalResponse,
} from './openai-responses.ts';
import { type StreamObserver, observeStream } from './stream.ts';
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK } from './semconv.ts';

/** The openai methods instrumented: Chat Completions, Responses, Embeddings. */
export type OpenAIApi = 'chat' | 'responses' | 'embeddings';

/** What openai's APIPromise (4.x to 7.x) has: the raw response, and a replaceable body parser. */
interface APIPromiseLike {
  responsePromise?: unknown;
  parseResponse?: (...args: unknown[]) => unknown;
}

export class OpenAICall implements StreamObserver<unknown> {
  /** The context the openai method runs in: the call's span active. */
  readonly context: Context;
  readonly #api: OpenAIApi;
  readonly #span: Span;
  readonly #streaming: boolean;
  /** Content capture as it was when the call started. */
  readonly #withContent: boolean;
  readonly #startedAt = performance.now();
  #firstChunkAt: number | undefined;
  #chatStream: ChatStreamSummary | undefined;
  #finalResponse: ResponseObject | undefined;
  #observed = false;
  #ended = false;

  constructor(api: OpenAIApi, span: Span, context: Context, streaming: boolean, withContent: boolean) {
    this.#api = api;
    this.#span = span;
    this.context = context;
    this.#streaming = streaming;
    this.#withContent = withContent;
  }

  /** Watches what the openai method returned, without touching it. Never throws. */
  observe(result: unknown): void {
    try {
      const apiPromise = result as APIPromiseLike | null;
      const parse = apiPromise?.parseResponse;
      if (typeof parse === 'function' && isThenable(apiPromise!.responsePromise)) {
        // Wrap the body parser rather than call then(): the app may only want asResponse(),
        // and then() would read the body before it can.
        const onData = this.#onData;
        const onError = this.#onError;
        apiPromise!.parseResponse = function (this: unknown, ...args: unknown[]): unknown {
          const parsed = parse.apply(this, args);
          if (isThenable(parsed)) parsed.then(onData, onError);
          else onData(parsed);
          return parsed;
        };
        // HTTP and connection errors reject before any parsing.
        apiPromise!.responsePromise.then(undefined, onError);
      } else if (isThenable(result)) {
        result.then(this.#onData, this.#onError);
      } else {
        this.#onData(result);
      }
    } catch (err) {
      diag.error('@agent-flywheel/instrumentation: openai result not observed', err);
    }
  }

  /** The openai method threw synchronously, or its promise rejected. Never throws. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      recordFailure(this.#span, error);
      this.#span.end();
    } catch (err) {
      diag.error('@agent-flywheel/instrumentation: openai failure not recorded', err);
    }
  }

  // --- StreamObserver: called by stream.ts as the app reads the stream ---

  chunk(value: unknown): void {
    this.#firstChunkAt ??= performance.now();
    if (this.#api === 'chat') this.#chatStream!.add(value as object);
    else if (this.#api === 'responses') this.#finalResponse = terminalResponse(value as ResponseStreamEvent) ?? this.#finalResponse;
  }

  end(): void {
    this.#endStream(true);
  }

  abandon(): void {
    this.#endStream(false);
  }

  // --- internals ---

  readonly #onData = (data: unknown): void => {
    if (this.#observed || this.#ended) return;
    this.#observed = true;
    try {
      if (this.#streaming) {
        if (this.#api === 'chat') this.#chatStream = new ChatStreamSummary(this.#withContent);
        if (observeStream(data, this)) return;
      }
      this.#endWith(data);
    } catch (err) {
      diag.error('@agent-flywheel/instrumentation: openai response not recorded', err);
      this.#endSpan();
    }
  };

  readonly #onError = (error: unknown): void => this.fail(error);

  /** A whole (non-streamed) response. */
  #endWith(data: unknown): void {
    const attributes: Attributes = {};
    let errorType: string | undefined;
    let output: unknown;
    const response = (data ?? {}) as Record<string, unknown>;
    switch (this.#api) {
      case 'chat':
        chatResponseAttributes(response, attributes);
        if (this.#withContent) output = chatOutputMessages(response);
        break;
      case 'responses':
        responsesResponseAttributes(response, attributes);
        errorType = responseErrorType(response);
        if (this.#withContent) output = responsesOutputMessages(response);
        break;
      case 'embeddings':
        embeddingsResponseAttributes(response, attributes);
        break;
    }
    this.#finish(attributes, output, errorType);
  }

  /** `complete`: the stream ended; else the app stopped reading (no output messages then: they would be partial). */
  #endStream(complete: boolean): void {
    if (this.#ended) return;
    const attributes: Attributes = {};
    if (this.#firstChunkAt !== undefined) {
      attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = (this.#firstChunkAt - this.#startedAt) / 1000;
    }
    let output: unknown;
    let errorType: string | undefined;
    if (this.#chatStream) {
      this.#chatStream.attributes(attributes);
      if (complete && this.#withContent) output = this.#chatStream.outputMessages();
    } else if (this.#finalResponse) {
      responsesResponseAttributes(this.#finalResponse, attributes);
      errorType = responseErrorType(this.#finalResponse);
      if (complete && this.#withContent) output = responsesOutputMessages(this.#finalResponse);
    }
    this.#finish(attributes, output, errorType);
  }

  #finish(attributes: Attributes, output: unknown, errorType: string | undefined): void {
    if (output !== undefined) {
      const json = toJson(output);
      if (json !== undefined) attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = json;
    }
    if (errorType !== undefined) {
      attributes[ATTR_ERROR_TYPE] = errorType;
      this.#span.setStatus({ code: SpanStatusCode.ERROR, message: `response failed: ${errorType}` });
    }
    this.#span.setAttributes(attributes);
    this.#endSpan();
  }

  /** Never throws: it runs in side chains whose rejections nobody would handle. */
  #endSpan(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      this.#span.end();
    } catch (err) {
      diag.error('@agent-flywheel/instrumentation: span not ended', err);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
