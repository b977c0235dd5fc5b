/** A private CA and a loopback server certificate, generated with `selfsigned` (no hand-rolled crypto). */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface CertificateAuthority {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  ca: CertificateAuthority;
  server: { cert: string; key: string };
  caFile: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

async function createCa(): Promise<CertificateAuthority> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  // A unique name: a trust store holding two emulator CAs looks issuers up by name, and would pick the wrong one.
  const commonName = `aml-emulator local CA ${randomUUID().slice(0, 8)}`;
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function createServerCertificate(ca: CertificateAuthority): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Reuses a persisted CA when there is one, so clients that already trust it keep working after a restart. */
export async function prepareTls(dataDir: string, existingCa: CertificateAuthority | undefined): Promise<TlsMaterial> {
  const ca = existingCa ?? (await createCa());
  const server = await createServerCertificate(ca);
  const caFile = join(dataDir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  return { ca, server, caFile };
}
