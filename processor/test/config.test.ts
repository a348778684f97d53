import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, settings } from '../src/config/config.ts';

test('with nothing set, every setting takes its documented default', () => {
  assert.deepEqual(loadConfig({}), {
    host: '127.0.0.1',
    port: 4318,
    dataDir: './.flywheel',
    embeddedPgPort: 54329,
    embeddedPostgres: 'on',
    maxBodyBytes: 20 * 1024 * 1024,
    maxConcurrentWrites: 4,
    maxQueuedWrites: 64,
    maxPendingBytes: 256 * 1024 * 1024,
    queueTimeoutMs: 5000,
    writeTimeoutMs: 30000,
    retryAfterSeconds: 5,
    shutdownTimeoutMs: 10000,
    requestTimeoutMs: 60000,
    headersTimeoutMs: 10000,
    maxHeaderBytes: 16384,
    maxJsonDepth: 32,
    maxRssBytes: 1073741824,
    maxEventLoopDelayMs: 0,
    apiConnections: 4,
    logLevel: 'info',
    auth: 'auto',
    redact: 'off',
    retentionIntervalMs: 3600000,
    // The score stage's slice (score-config.test.ts tests it).
    scoreSettleMs: 30000,
    scorePollMs: 1000,
    scoreBatchSize: 500,
    scoreWorkers: 2,
    retryWindowMs: 300000,
    abandonMs: 1800000,
    freshnessHalfLifeDays: 90,
    gateAccuracy: 0.85,
    gateCompleteness: 0.9,
    gateRelevance: 0.8,
    gateTimeliness: 0.75,
    judgeModel: 'gpt-4o-mini',
    judgeConcurrency: 2,
    judgeTimeoutMs: 30000,
    judgeMaxRetries: 2,
    judgeParentWaitMs: 300000,
    judgeInputUsdPerMTok: 0,
    judgeOutputUsdPerMTok: 0,
    knowledgePollMs: 5000,
    knowledgeCommitBatch: 10,
    knowledgeCommitConfidence: 0.85,
    mineIntervalMs: 60000,
    mineSuccessMin: 0.8,
    mineFailureMax: 0.4,
    mineMinSupport: 20,
    mineFdr: 0.05,
    mineMinLift: 1.25,
    mineWindowDays: 30,
    forecastAccuracyMin: 0.85,
    forecastSatisfactionMin: 0.7,
    forecastHorizonDays: 7,
    mineEmbeddingsSimilarity: 0.8,
    sourcesPollMs: 30000,
    sourceTimeoutMs: 10000,
    sourceMaxBytes: 5 * 1024 * 1024,
  });
});

test('env vars are read and coerced; flags win over env vars', () => {
  const config = loadConfig(
    { FLYWHEEL_PORT: '9999', FLYWHEEL_HOST: '0.0.0.0', DATABASE_URL: 'postgresql://u@db:5432/fw', FLYWHEEL_LOG_LEVEL: 'debug' },
    { port: '7777' },
  );
  assert.equal(config.port, 7777);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.databaseUrl, 'postgresql://u@db:5432/fw');
  assert.equal(config.logLevel, 'debug');
});

test('with the embedded Postgres off, DATABASE_URL is required', () => {
  assert.throws(() => loadConfig({ FLYWHEEL_EMBEDDED_POSTGRES: 'off' }), {
    name: 'ConfigError',
    message: 'DATABASE_URL must be set when FLYWHEEL_EMBEDDED_POSTGRES is off (no embedded Postgres is started)',
  });
  const config = loadConfig({ FLYWHEEL_EMBEDDED_POSTGRES: 'off', DATABASE_URL: 'postgres://u@db/fw' });
  assert.equal(config.embeddedPostgres, 'off');
  assert.equal(config.databaseUrl, 'postgres://u@db/fw');
  assert.throws(() => loadConfig({ FLYWHEEL_EMBEDDED_POSTGRES: 'no' }), {
    name: 'ConfigError',
    message: "FLYWHEEL_EMBEDDED_POSTGRES must be 'on' or 'off', got 'no'",
  });
});

test('an empty env var counts as unset', () => {
  assert.equal(loadConfig({ FLYWHEEL_PORT: '' }).port, 4318);
});

test('a bad value names the env var, the expected form and the value given', () => {
  assert.throws(() => loadConfig({ FLYWHEEL_PORT: '70000' }), {
    name: 'ConfigError',
    message: "FLYWHEEL_PORT must be an integer from 0 to 65535, got '70000'",
  });
});

test('a bad flag is named as the flag', () => {
  assert.throws(() => loadConfig({}, { 'max-concurrent-writes': '0' }), {
    message: "--max-concurrent-writes must be an integer from 1 to 64, got '0'",
  });
});

test('every bad setting is reported at once, one per line', () => {
  try {
    loadConfig({ FLYWHEEL_PORT: 'x', DATABASE_URL: 'mysql://db', FLYWHEEL_RETRY_AFTER_SECONDS: '1.5' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.message.split('\n'), [
      "FLYWHEEL_PORT must be an integer from 0 to 65535, got 'x'",
      "DATABASE_URL must be a postgres:// or postgresql:// URL, got 'mysql://db'",
      "FLYWHEEL_RETRY_AFTER_SECONDS must be an integer from 1 to 3600, got '1.5'",
    ]);
  }
});

test('every setting has an env var with the FLYWHEEL_ prefix (or DATABASE_URL) and a distinct flag', () => {
  for (const s of settings) assert.match(s.env, /^(FLYWHEEL_[A-Z_]+|DATABASE_URL)$/);
  assert.equal(new Set(settings.map((s) => s.flag)).size, settings.length);
});

test('a bad DATABASE_URL is named in the error without its password', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://flywheel:s3cret-pass@db:5432/fw' }),
    (error: Error) => {
      assert.equal(error.message, "DATABASE_URL must be a postgres:// or postgresql:// URL, got 'mysql://flywheel:***@db:5432/fw'");
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    },
  );
});

test('FLYWHEEL_REDACT takes off, default or strict, and FLYWHEEL_REDACT_PATTERNS a path', () => {
  const config = loadConfig({ FLYWHEEL_REDACT: 'strict', FLYWHEEL_REDACT_PATTERNS: '/etc/flywheel/patterns.json' });
  assert.equal(config.redact, 'strict');
  assert.equal(config.redactPatterns, '/etc/flywheel/patterns.json');
  assert.throws(() => loadConfig({ FLYWHEEL_REDACT: 'on' }), {
    name: 'ConfigError',
    message: "FLYWHEEL_REDACT must be one of off, default, strict, got 'on'",
  });
});
