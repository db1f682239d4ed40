/** `gatehouse login alicloud|oci|tls|password`: client logins, printing the token (or `--json`). */
import type { Command } from 'commander';
import type { CliIo } from '../../cli/io.js';
import { addPasswordOptions } from '../../cli/password-options.js';
import { DEFAULT_SERVER } from './server-url.js';

// Each login loads its client code only when it runs (the OCI signer alone takes a while to load).

const serverOption = (io: CliIo) => [`--server <url>`, 'Gatehouse base URL (env GATEHOUSE_SERVER)', io.env.GATEHOUSE_SERVER ?? DEFAULT_SERVER] as const;
const dpopOption = ['--dpop-key <file>', 'bind the token to this key with DPoP proofs (PEM private key: P-256, Ed25519 or RSA); every use then needs its proofs'] as const;

export function registerLoginCommands(program: Command, io: CliIo): void {
  const login = program.command('login').description('Log in to a Gatehouse server and print the access token');

  login
    .command('alicloud')
    .description('Alibaba Cloud login: sign STS GetCallerIdentity with an AccessKey (the secret never leaves this machine)')
    .option(...serverOption(io))
    .requiredOption('--identity-id <id>', 'the machine identity to log in as')
    .option('--credentials-file <file>', 'JSON file with accessKeyId, accessKeySecret (and securityToken for STS credentials)')
    .option('--access-key-id <id>', 'AccessKey id (env ALIBABA_CLOUD_ACCESS_KEY_ID); the secret from ALIBABA_CLOUD_ACCESS_KEY_SECRET or --access-key-secret-stdin')
    .option('--access-key-secret-stdin', 'read the AccessKey secret from standard input')
    .option('--organization <slug>', 'organizationSlug')
    .option(...dpopOption)
    .option('--json', 'print the whole response as JSON')
    .addHelpText('after', '\nExample:\n  gatehouse login alicloud --server https://auth.example.com --identity-id "$ID" --credentials-file alicloud.json')
    .action(async (opts) => (await import('./alicloud.js')).loginAlicloud(io, opts));

  login
    .command('oci')
    .description('OCI login: sign GET /users/<ocid> with an API key from an OCI config file')
    .option(...serverOption(io))
    .requiredOption('--identity-id <id>', 'the machine identity to log in as')
    .option('--oci-config <file>', 'OCI config file (default: OCI_CONFIG_FILE or ~/.oci/config)')
    .option('--profile <name>', 'profile in the config file', 'DEFAULT')
    .option('--organization <slug>', 'organizationSlug')
    .option(...dpopOption)
    .option('--json', 'print the whole response as JSON')
    .addHelpText('after', '\nExample:\n  gatehouse login oci --server https://auth.example.com --identity-id "$ID" --oci-config ~/.oci/config --profile DEFAULT')
    .action(async (opts) => (await import('./oci.js')).loginOci(io, opts));

  login
    .command('tls')
    .description('TLS client-certificate login over mTLS')
    .option(...serverOption(io))
    .requiredOption('--identity-id <id>', 'the machine identity to log in as')
    .requiredOption('--cert <file>', 'client certificate (PEM, may include intermediates)')
    .requiredOption('--key <file>', 'private key of the certificate (PEM)')
    .option('--ca <file>', "CA certificate(s) to trust for the server's certificate (PEM)")
    .option('--key-passphrase-stdin', 'read the key passphrase from standard input (else GATEHOUSE_KEY_PASSPHRASE or a prompt)')
    .option('--organization <slug>', 'organizationSlug')
    .option(...dpopOption)
    .option('--json', 'print the whole response as JSON')
    .addHelpText('after', '\nExample:\n  gatehouse login tls --server https://auth.example.com:8443 --identity-id "$ID" --cert client.pem --key client-key.pem --ca server-ca.pem')
    .action(async (opts) => (await import('./tls.js')).loginTls(io, opts));

  addPasswordOptions(
    login
      .command('password')
      .description('Password login: --username (ece-password) or --email (idp-mfa, with --otp for MFA users)')
      .option(...serverOption(io))
      .option('--username <username>', 'ece-password login (POST /api/v1/users/auth/_login)')
      .option('--email <email>', 'idp-mfa login (POST /v1/auth/login)')
      .option('--otp <code>', 'TOTP code for a user with MFA (idp-mfa)')
      .option('--recovery-code <code>', 'recovery code instead of a TOTP code (idp-mfa)'),
  )
    .option(...dpopOption)
    .option('--json', 'print the whole response as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  gatehouse login password --username operator --password-file operator.password\n  gatehouse login password --email dora@example.com --password-stdin --otp 123456 < dora.password',
    )
    .action(async (opts) => (await import('./password.js')).loginPassword(io, opts));
}
