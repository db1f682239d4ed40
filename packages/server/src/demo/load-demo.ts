/**
 * Loads the demo-mode package by name, at run time, only in demo mode. It is not a dependency of the
 * server: when it is missing, the error says what to install.
 */
import { configError } from '../errors.js';
import type { DemoModule } from './contract.js';

export const DEMO_PACKAGE = '@gatehouse-auth/demo';

export async function loadDemoModule(specifier: string = DEMO_PACKAGE): Promise<DemoModule> {
  let loaded: Partial<DemoModule>;
  try {
    loaded = (await import(specifier)) as Partial<DemoModule>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes(specifier)) {
      throw configError(
        `mode: demo needs the ${specifier} package, which is not installed (production installs never carry it): ` +
          `npm install --save-dev ${specifier}, or run npx -p @gatehouse-auth/cli -p ${specifier} gatehouse serve`,
      );
    }
    throw err;
  }
  if (typeof loaded.prepareDemo !== 'function') throw configError(`${specifier} does not export prepareDemo(): versions of the server and the demo package differ`);
  return loaded as DemoModule;
}
