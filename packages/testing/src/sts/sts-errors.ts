/**
 * STS error answers as Alibaba Cloud sends them: HTTP status, `Code`, and a `Message` in STS's own words.
 * Like the real service, `SignatureDoesNotMatch` echoes the server's string-to-sign in `Message`, which is
 * exactly why a relying party must never log that field; the emulator keeps the echo so tests can prove it.
 */
export interface StsErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

export interface StsError {
  status: number;
  code: string;
  message: string;
}

export const stsErrors = {
  missingParameter: (name: string): StsError => ({
    status: 400,
    code: 'MissingParameter',
    message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  }),
  invalidParameter: (name: string): StsError => ({
    status: 400,
    code: 'InvalidParameter',
    message: `The specified parameter "${name}" is not valid.`,
  }),
  unsupportedMethod: (): StsError => ({
    status: 400,
    code: 'UnsupportedHTTPMethod',
    message: 'This http method is not supported.',
  }),
  apiNotFound: (): StsError => ({
    status: 404,
    code: 'InvalidAction.NotFound',
    message: 'Specified api is not found, please check your url and method.',
  }),
  invalidVersion: (): StsError => ({ status: 400, code: 'InvalidVersion', message: 'Specified parameter Version is not valid.' }),
  unsupportedSignatureMethod: (): StsError => ({
    status: 400,
    code: 'InvalidSignatureMethod',
    message: 'Specified signature method is not supported.',
  }),
  unsupportedSignatureVersion: (): StsError => ({
    status: 400,
    code: 'InvalidSignatureVersion',
    message: 'Specified signature version is not supported.',
  }),
  timestampFormat: (): StsError => ({
    status: 400,
    code: 'InvalidTimeStamp.Format',
    message: 'Specified time stamp or date header is not valid.',
  }),
  timestampExpired: (): StsError => ({
    status: 400,
    code: 'InvalidTimeStamp.Expired',
    message: 'Specified time stamp or date header is expired.',
  }),
  accessKeyNotFound: (): StsError => ({
    status: 404,
    code: 'InvalidAccessKeyId.NotFound',
    message: 'Specified access key is not found.',
  }),
  accessKeyInactive: (): StsError => ({
    status: 400,
    code: 'InvalidAccessKeyId.Inactive',
    message: 'Specified access key is disabled.',
  }),
  signatureMismatch: (serverStringToSign: string): StsError => ({
    status: 400,
    code: 'SignatureDoesNotMatch',
    message: `Specified signature is not matched with our calculation. server string to sign is:${serverStringToSign}`,
  }),
  nonceUsed: (): StsError => ({
    status: 400,
    code: 'SignatureNonceUsed',
    message: 'Specified signature nonce was used already.',
  }),
  securityTokenMissing: (): StsError => ({
    status: 400,
    code: 'MissingSecurityToken',
    message: 'SecurityToken is mandatory for this action.',
  }),
  securityTokenMismatch: (): StsError => ({
    status: 400,
    code: 'InvalidSecurityToken.MismatchWithAccessKey',
    message: 'Specified SecurityToken mismatch with the AccessKey.',
  }),
  securityTokenExpired: (): StsError => ({
    status: 400,
    code: 'InvalidSecurityToken.Expired',
    message: 'Specified SecurityToken is expired.',
  }),
  internal: (): StsError => ({
    status: 500,
    code: 'InternalError',
    message: 'STS Server Internal Error happened, please send the RequestId to us.',
  }),
};

export function errorBody(error: StsError, requestId: string, hostId: string): StsErrorBody {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Sts&requestId=${requestId}`,
  };
}
