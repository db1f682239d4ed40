export * from './strategy.js';
export * from './adapter.js';
export * from './store.js';
