// The HTTP doors' slices of the configuration: where the server listens (listed first in
// --help and the README, being what most people set), and how the OTLP receiver and the REST
// API bound their work: body size, writer admission, timeouts, Retry-After, shutdown, the
// REST API's own database connections; and whether requests need an API key (api/auth.ts).
import { z } from 'zod';
import { type ConfigOf, int, MiB, ms, type Setting } from '../config/setting.ts';

export const LISTEN_SETTINGS = [
  {
    key: 'host',
    env: 'FLYWHEEL_HOST',
    flag: 'host',
    expected: 'a host name or IP address',
    description: 'Address the HTTP server listens on',
    schema: z.string().min(1).default('127.0.0.1'),
  },
  {
    key: 'port',
    env: 'FLYWHEEL_PORT',
    flag: 'port',
    expected: 'an integer from 0 to 65535',
    description: 'Port of the OTLP/HTTP receiver and the REST API (0 picks a free port)',
    schema: int(0, 65535).default(4318),
  },
] as const satisfies readonly Setting[];

export const API_SETTINGS = [
  {
    key: 'maxBodyBytes',
    env: 'FLYWHEEL_MAX_BODY_BYTES',
    flag: 'max-body-bytes',
    expected: 'a positive integer (bytes)',
    description: 'Largest OTLP request body, checked before and after decompression (413 above it)',
    schema: int(1024, 1024 * MiB).default(20 * MiB),
  },
  {
    key: 'maxConcurrentWrites',
    env: 'FLYWHEEL_MAX_CONCURRENT_WRITES',
    flag: 'max-concurrent-writes',
    expected: 'an integer from 1 to 64',
    // Also the size of the writers' connection pool, which nothing else uses (service.ts).
    description: 'OTLP batches written to Postgres at the same time',
    schema: int(1, 64).default(4),
  },
  {
    key: 'maxQueuedWrites',
    env: 'FLYWHEEL_MAX_QUEUED_WRITES',
    flag: 'max-queued-writes',
    expected: 'an integer from 0 to 10000',
    description: 'OTLP batches allowed to wait for a writer; beyond that the receiver answers 503',
    schema: int(0, 10000).default(64),
  },
  {
    key: 'maxPendingBytes',
    env: 'FLYWHEEL_MAX_PENDING_BYTES',
    flag: 'max-pending-bytes',
    expected: 'a positive integer (bytes)',
    description: 'Request bodies held in memory at once (being read, queued or written); beyond it 503',
    schema: int(1024 * 1024, 64 * 1024 * MiB).default(256 * MiB),
  },
  {
    key: 'queueTimeoutMs',
    env: 'FLYWHEEL_QUEUE_TIMEOUT_MS',
    flag: 'queue-timeout-ms',
    expected: 'an integer from 1 to 600000 (milliseconds)',
    description: 'How long a batch may wait for a writer before the receiver answers 503',
    schema: ms(1, 600_000).default(5_000),
  },
  {
    // The receiver's (and POST /api/feedback's) statement timeout: the door that answers 503
    // owns it, not the store, which takes timeouts as arguments.
    key: 'writeTimeoutMs',
    env: 'FLYWHEEL_WRITE_TIMEOUT_MS',
    flag: 'write-timeout-ms',
    expected: 'an integer from 100 to 600000 (milliseconds)',
    description: 'Longest a batch write may take in Postgres before it is abandoned with 503',
    schema: ms(100, 600_000).default(30_000),
  },
  {
    key: 'retryAfterSeconds',
    env: 'FLYWHEEL_RETRY_AFTER_SECONDS',
    flag: 'retry-after-seconds',
    expected: 'an integer from 1 to 3600',
    description: 'Retry-After sent with 429/503 answers',
    schema: int(1, 3600).default(5),
  },
  {
    key: 'shutdownTimeoutMs',
    env: 'FLYWHEEL_SHUTDOWN_TIMEOUT_MS',
    flag: 'shutdown-timeout-ms',
    expected: 'an integer from 0 to 600000 (milliseconds)',
    description: 'On SIGINT/SIGTERM, how long in-flight requests may take to finish',
    schema: ms(0, 600_000).default(10_000),
  },
  {
    // Node's http server answers 408 and closes the connection once a request (headers and
    // body) has taken longer; a slow-loris body cannot keep memory or a socket for long, and
    // it never holds a writer (a batch waits for one only once its body is read).
    key: 'requestTimeoutMs',
    env: 'FLYWHEEL_REQUEST_TIMEOUT_MS',
    flag: 'request-timeout-ms',
    expected: 'an integer from 1000 to 600000 (milliseconds)',
    description: 'Longest time a client may take to send a whole request, headers and body (408 after it)',
    schema: ms(1000, 600_000).default(60_000),
  },
  {
    key: 'headersTimeoutMs',
    env: 'FLYWHEEL_HEADERS_TIMEOUT_MS',
    flag: 'headers-timeout-ms',
    expected: 'an integer from 1000 to 600000 (milliseconds)',
    description: "Longest time a client may take to send a request's headers (408 after it)",
    schema: ms(1000, 600_000).default(10_000),
  },
  {
    key: 'maxHeaderBytes',
    env: 'FLYWHEEL_MAX_HEADER_BYTES',
    flag: 'max-header-bytes',
    expected: 'an integer from 1024 to 1048576 (bytes)',
    description: 'Largest request head, request line and headers together (431 above it)',
    schema: int(1024, 1024 * 1024).default(16 * 1024),
  },
  {
    key: 'maxJsonDepth',
    env: 'FLYWHEEL_MAX_JSON_DEPTH',
    flag: 'max-json-depth',
    expected: 'an integer from 2 to 1000',
    description: 'Deepest nesting of objects and arrays a REST JSON body may have (400 deeper)',
    schema: int(2, 1000).default(32),
  },
  {
    // Sampled a few times a second; while the process is above it, the OTLP receiver sheds
    // new batches with 503 + Retry-After until garbage collection brings it back down.
    key: 'maxRssBytes',
    env: 'FLYWHEEL_MAX_RSS_BYTES',
    flag: 'max-rss-bytes',
    expected: 'an integer from 67108864 (64 MiB) up, or 0 for no bound',
    description: "Resident memory of the processor above which OTLP batches are refused with 503 (0: no bound)",
    schema: z.coerce.number().int().refine((n) => n === 0 || (n >= 64 * MiB && n <= 1024 * 1024 * MiB)).default(1024 * MiB),
  },
  {
    // Off by default: a busy host (or a long synchronous stage step) delays the loop too, and
    // would then shed batches that could have been taken. 250-500 suits a dedicated host.
    key: 'maxEventLoopDelayMs',
    env: 'FLYWHEEL_MAX_EVENT_LOOP_DELAY_MS',
    flag: 'max-event-loop-delay-ms',
    expected: 'an integer from 0 to 60000 (milliseconds), 0 for no bound',
    description: 'How far behind the event loop may be before OTLP batches are refused with 503, keeping /healthz and the REST API responsive (0: no bound)',
    schema: ms(0, 60_000).default(0),
  },
  {
    key: 'apiConnections',
    env: 'FLYWHEEL_API_CONNECTIONS',
    flag: 'api-connections',
    expected: 'an integer from 1 to 64',
    // A pool of their own, so however many reads run, OTLP writers keep theirs.
    description: 'Postgres connections the REST API and /readyz share (OTLP writers and the stages have their own)',
    schema: int(1, 64).default(4),
  },
  {
    key: 'auth',
    env: 'FLYWHEEL_AUTH',
    flag: 'auth',
    expected: 'one of auto, required',
    description:
      'auto: requests need an API key once the first key exists (until then local mode: no key, project default, loopback only); required: always',
    schema: z.enum(['auto', 'required']).default('auto'),
  },
] as const satisfies readonly Setting[];

export type ApiConfig = ConfigOf<typeof LISTEN_SETTINGS> & ConfigOf<typeof API_SETTINGS>;
