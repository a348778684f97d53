/**
 * A request body that cannot be decoded as OTLP (malformed protobuf or JSON, or the wrong shape).
 * The receiver answers 400 with this message in a google.rpc.Status; the client must not retry.
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}
