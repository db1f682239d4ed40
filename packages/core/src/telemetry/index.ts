export { Telemetry, BoundedLabels, INSTRUMENTATION_SCOPE, errorType } from './telemetry.js';
export type { TelemetryOptions, LoginOutcome } from './telemetry.js';
export { instrumentStores, instrumentHttp } from './instrument.js';
