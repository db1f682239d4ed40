// OCI login: sign with the OCI SDK, post to Gatehouse.
export { buildOciLoginBody, ociIdentityUserUrl } from './oci-login-body.js';
export type { OciLoginBody, OciLoginCredentials } from './oci-login-body.js';
export { loginWithOci, OciLoginError, OCI_LOGIN_ROUTE } from './oci-login.js';
export type { OciLoginOptions, OciLoginResult } from './oci-login.js';
