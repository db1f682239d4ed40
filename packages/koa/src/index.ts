export { gatehouseKoa, gatehouseKoaErrors, gatehouseGuard } from './middleware.js';
export type { GatehouseKoaOptions, GatehouseState } from './middleware.js';
export type { Principal, GuardSource } from '@gatehouse-auth/core';
