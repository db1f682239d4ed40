export { gatehouseExpress, gatehouseRouter, gatehouseErrorHandler, gatehouseGuard } from './router.js';
export type { GatehouseExpressOptions } from './router.js';
export type { Principal, GuardSource } from '@gatehouse-auth/core';
