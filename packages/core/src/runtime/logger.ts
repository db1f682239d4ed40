/** The subset of pino's API the core uses, so a pino instance can be passed as is. */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child?(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };

export const NO_LOGGER_WARNING_CODE = 'GATEHOUSE_NO_LOGGER';

/**
 * The default when `createGatehouse` gets no logger: silent, except that the first error it would have
 * logged (an internal error, an outage, an upstream failure) raises one process warning saying so and how
 * to turn logs on — a library whose 500s print nothing is undebuggable. Only the request id and reason
 * code are named: never a message, which may quote a secret.
 */
export function unconfiguredLogger(): Logger {
  let warned = false;
  const error: LogFn = (objOrMsg: object | string) => {
    if (warned) return;
    warned = true;
    const o = (typeof objOrMsg === 'object' && objOrMsg ? objOrMsg : {}) as { reqId?: unknown; reasonCode?: unknown };
    const what = typeof o.reqId === 'string' ? `request ${o.reqId} failed${typeof o.reasonCode === 'string' ? ` (${o.reasonCode})` : ''}` : 'an error occurred';
    process.emitWarning(
      `Gatehouse: ${what}, but no logger is configured, so its details went nowhere. Pass \`logger\` to createGatehouse (a pino instance works) to see them; this warning is shown once.`,
      { code: NO_LOGGER_WARNING_CODE },
    );
  };
  const report = (merged: object) => {
    if (!warned) error(merged);
  };
  const child = (bindings: Record<string, unknown>): Logger => new UnconfiguredChild(bindings, report);
  return { debug: noop, info: noop, warn: noop, error, child };
}

/**
 * A child of the unconfigured logger (one per request): as cheap as its parent — a plain class instance with
 * shared no-op methods; only `error` does anything, so only it merges the bindings.
 */
class UnconfiguredChild implements Logger {
  constructor(
    private readonly bindings: Record<string, unknown>,
    private readonly report: (merged: object) => void,
  ) {}
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(objOrMsg: object | string): void {
    this.report(typeof objOrMsg === 'string' ? { ...this.bindings } : { ...this.bindings, ...objOrMsg });
  }
  child(more: Record<string, unknown>): Logger {
    return new UnconfiguredChild({ ...this.bindings, ...more }, this.report);
  }
}

/** True for the loggers that drop info lines (the unconfigured default and `silentLogger`): nothing to build for them. */
export function discardsInfo(logger: Logger): boolean {
  return logger instanceof UnconfiguredChild || logger.info === noop;
}

/**
 * A logger whose every line carries `bindings`: the logger's own `child` when it has one (pino), else a wrapper
 * that merges them into each call. Callers then never repeat a bound key (one `reqId` per line, not two).
 */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return logger.child ? logger.child(bindings) : bound(logger, bindings);
}

function bound(logger: Logger, bindings: Record<string, unknown>): Logger {
  const wrap =
    (fn: LogFn): LogFn =>
    (objOrMsg: object | string, msg?: string) =>
      typeof objOrMsg === 'string' ? fn({ ...bindings }, objOrMsg) : fn({ ...bindings, ...objOrMsg }, msg);
  return {
    debug: wrap(logger.debug),
    info: wrap(logger.info),
    warn: wrap(logger.warn),
    error: wrap(logger.error),
    child: (more) => bound(logger, { ...bindings, ...more }),
  };
}
