// The Node http → core bridge every adapter shares: body reading with limits, the request and response
// translation, TLS peer chains, and which paths Gatehouse answers. Adapters add only framework glue.
export { DEFAULT_BODY_LIMIT, readJsonBody, readJsonBodyThen, adoptOrReadBody, classifyBody, isJsonMediaType, parseJsonBytes, parserBodyError, drainRequest } from './body.js';
export type { BodyResult, ReadBodyOptions } from './body.js';
export { toGatehouseRequest, guardRequestOf, pathOf, queryOf, disconnectSignal } from './request.js';
export type { ToGatehouseRequestOptions } from './request.js';
export { respond, toNodeResponse, failureResponse, writeNodeResponse, serializeCookie } from './response.js';
export type { NodeResponse } from './response.js';
export { peerCertificateChain, isTlsSocket } from './tls.js';
export { frameworkPath, routePrefixes, routeMatcher, GATEHOUSE_FAMILIES } from './routes.js';
export type { RouteMatcher } from './routes.js';
