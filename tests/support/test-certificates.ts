// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

/**
 * Throwaway PKI for TLS tests: a CA, and leaf certificates it signs, written as PEM files
 * the way Kubernetes mounts secrets. ECDSA P-256: fast to generate, and Go's TLS, rustls
 * (the worker) and OpenSSL (grpc-js) all accept it.
 */

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

export interface TestCa extends CertificateFiles {
  /** Issues a leaf certificate signed by this CA into `dir/<name>.crt` and `.key`. */
  issue(name: string, usage: 'server' | 'client', hosts?: { dns?: string[]; ips?: string[] }): Promise<CertificateFiles>;
}

let serial = 1;

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
}

async function write(dir: string, name: string, cert: x509.X509Certificate, key: CryptoKey): Promise<CertificateFiles> {
  const files = { certPath: path.join(dir, `${name}.crt`), keyPath: path.join(dir, `${name}.key`) };
  await writeFile(files.certPath, cert.toString('pem'));
  await writeFile(files.keyPath, await keyPem(key), { mode: 0o600 });
  return files;
}

const validity = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 24 * 3600_000) });

/** A new CA named `name`, its files in `dir`. */
export async function createTestCa(dir: string, name: string): Promise<TestCa> {
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: String(serial++).padStart(2, '0'),
    name: `CN=${name}`,
    ...validity(),
    signingAlgorithm: alg,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const files = await write(dir, name, caCert, caKeys.privateKey);
  return {
    ...files,
    async issue(leafName, usage, hosts = {}) {
      const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
      const altNames = [
        ...(hosts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(hosts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: String(serial++).padStart(2, '0'),
        subject: `CN=${leafName}`,
        issuer: caCert.subject,
        ...validity(),
        signingAlgorithm: alg,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
          ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
        ],
      });
      return write(dir, leafName, cert, keys.privateKey);
    },
  };
}
