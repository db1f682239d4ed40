/** Certificates for the suite's HTTPS server and its client: root → server leaf, root → intermediate → client. */
import { createHash } from 'node:crypto';
import { createCa } from '../certs/index.js';

export interface ConformanceTls {
  /** For the adapter's HTTPS server. */
  server: { key: string; cert: string };
  /** What the client trusts and presents. */
  client: { ca: string; cert: string; key: string };
  /** Another client of the same CA (a thief's connection: valid, but not the certificate a token is bound to). */
  otherClient: { ca: string; cert: string; key: string };
  /** sha256 hex of the client's leaf and intermediate DER, in chain order. */
  clientChainFingerprints: [string, string];
  clientCommonName: string;
}

const sha256 = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

export async function createConformanceTls(): Promise<ConformanceTls> {
  const root = await createCa({ commonName: 'Gatehouse Conformance Root', keyType: 'ec' });
  const server = await root.issue({ commonName: '127.0.0.1', extKeyUsage: ['serverAuth'], subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }] });
  const intermediate = await root.issueIntermediate({ commonName: 'Gatehouse Conformance Intermediate', keyType: 'ec' });
  const clientCommonName = 'conformance-client';
  const client = await intermediate.issue({ commonName: clientCommonName, extKeyUsage: ['clientAuth'] });
  const other = await intermediate.issue({ commonName: `${clientCommonName}-other`, extKeyUsage: ['clientAuth'] });
  return {
    server: { key: server.keyPem, cert: server.certPem },
    client: { ca: root.certPem, cert: client.chainPem, key: client.keyPem },
    otherClient: { ca: root.certPem, cert: other.chainPem, key: other.keyPem },
    clientChainFingerprints: [sha256(client.certDer), sha256(intermediate.certDer)],
    clientCommonName,
  };
}
