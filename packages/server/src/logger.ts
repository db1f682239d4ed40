/**
 * Structured JSON logs (pino) on stdout. Every line carries `mode`, so demo-mode output can never be
 * mistaken for a production server's. Request bodies and headers are never logged.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import type { AuditEvent } from '@gatehouse-auth/core';
import type { GatehouseConfig } from './config/schema.js';

export type ServerLogger = PinoLogger;

export function createLogger(config: Pick<GatehouseConfig, 'log' | 'mode'>, destination?: NodeJS.WritableStream): ServerLogger {
  return pino(
    {
      level: config.log.level,
      base: { service: 'gatehouse', mode: config.mode, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Belt and braces: none of these is ever passed to the logger, but a future call site might.
      redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers', '*.headers'], censor: '[redacted]' },
    },
    (destination ?? process.stdout) as pino.DestinationStream,
  );
}

/** Audit events to the log: one `info` line each, under `audit`. Events never carry secrets (core contract). */
export function auditToLog(logger: ServerLogger) {
  const audit = logger.child({ component: 'audit' });
  return (event: AuditEvent) => {
    audit.info({ audit: { ...event, at: event.at.toISOString() } }, event.type);
  };
}
