export * from './strategy.js';
export * from './adapter.js';
