/**
 * `gatehouse serve` and the example's `main`: load the config, start, and shut down gracefully on
 * SIGINT/SIGTERM (a second signal exits at once). `finished` resolves with the exit code once the
 * server has shut down.
 */
import { loadConfig } from './config/load.js';
import { startServer, type RunningServer, type StartServerOptions } from './start-server.js';

export interface ServedServer extends RunningServer {
  finished: Promise<number>;
}

export async function runServer(configPath: string, options: StartServerOptions = {}): Promise<ServedServer> {
  const loaded = loadConfig(configPath, options.env ?? process.env);
  const running = await startServer(loaded, options);
  let signalled = false;
  let done!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      running.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalled = true;
    running.logger.info({ signal }, 'signal received');
    running.close().then(
      () => done(0),
      (err: unknown) => {
        running.logger.error({ err: { message: (err as Error).message } }, 'shutdown failed');
        done(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Node would print a stack trace and die mid-request; instead: one fatal log line (message only, it may
  // come from a library), a graceful shutdown, exit code 1.
  const onFatal = (err: unknown) => {
    running.logger.fatal({ err: { message: err instanceof Error ? err.message : String(err) } }, 'uncaught error: shutting down');
    if (signalled) return;
    signalled = true;
    running.close().finally(() => done(1));
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return { ...running, finished };
}
