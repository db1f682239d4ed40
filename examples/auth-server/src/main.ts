/**
 * The example auth server: `npm start` at the repository root builds it and runs this. Everything is in
 * `gatehouse.config.yaml` (demo mode); `GATEHOUSE_CONFIG` points at another file, and the environment
 * overrides listed in docs/configuration.md apply (ports, data folder, secrets, `DATABASE_URL`).
 */
import { fileURLToPath } from 'node:url';
import { runServer } from '@gatehouse-auth/server';
import { mountLoginPage } from './mount-login-page.js';

const configPath = process.env.GATEHOUSE_CONFIG ?? fileURLToPath(new URL('../gatehouse.config.yaml', import.meta.url));

try {
  const served = await runServer(configPath, { register: mountLoginPage, cliCommand: 'npx gatehouse' });
  process.exit(await served.finished);
} catch (err) {
  // One line, no stack trace: the messages name the config key or file at fault.
  process.stderr.write(`error: ${(err as Error).message}\n`);
  // 2: the configuration or the environment is at fault (as the CLI exits); 1: anything else.
  process.exit((err as Error).name === 'ConfigError' ? 2 : 1);
}
