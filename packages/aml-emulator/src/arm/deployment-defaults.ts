/** What the service fills in on a deployment the client did not set, and which of its settings are durations. */

export const DEFAULT_PROBE = {
  failureThreshold: 30,
  successThreshold: 1,
  timeout: 'PT2S',
  period: 'PT10S',
  initialDelay: 'PT10S',
};

// The spec documents maxQueueWait's default as PT0.5S; the recorded service answers PT0S.
export const DEFAULT_REQUEST_SETTINGS = {
  maxConcurrentRequestsPerInstance: 1,
  maxQueueWait: 'PT0S',
  requestTimeout: 'PT5S',
};

/** Settings the service answers re-serialized as TimeSpans (`PT60S` → `PT1M`). */
export const DURATION_FIELDS: Record<string, string[]> = {
  requestSettings: ['maxQueueWait', 'requestTimeout'],
  livenessProbe: ['timeout', 'period', 'initialDelay'],
  readinessProbe: ['timeout', 'period', 'initialDelay'],
};
