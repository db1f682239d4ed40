export { createResourceApp } from './app.js';
export type { ResourceAppOptions } from './app.js';
