export { TokenBinding, confirmationOf } from './token-binding.js';
export type { Presentation, Confirmation, TokenBindingOptions } from './token-binding.js';
export { presentationOf, authorizationToken } from './presentation.js';
export type { PresentationFacts, PresentationOptions } from './presentation.js';
export { requestUrls, parsePublicUrls } from './request-urls.js';
export { clientCertificateOf } from './client-certificate.js';
export type { ClientCertificateSource } from './client-certificate.js';
