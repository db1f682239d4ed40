export { gatehouseFastify, gatehouseGuard } from './plugin.js';
export type { GatehouseFastifyOptions } from './plugin.js';
export type { Principal, GuardSource } from '@gatehouse-auth/core';
