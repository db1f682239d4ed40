import { bytebaseDialect } from './bytebase.js';
import { eceDialect } from './ece.js';
import { infisicalDialect } from './infisical.js';
import type { Dialect, DialectName } from './types.js';

export const dialects: Record<DialectName, Dialect> = {
  infisical: infisicalDialect,
  ece: eceDialect,
  bytebase: bytebaseDialect,
};

export { infisicalDialect, eceDialect, bytebaseDialect };
export { formatEceTime } from './ece.js';
export { CONNECT_HTTP_STATUS } from './bytebase.js';
export type { Dialect, DialectName, RenderedError } from './types.js';
