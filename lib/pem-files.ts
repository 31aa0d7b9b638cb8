import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * PEM files named by the environment (Kubernetes mounts secrets as files). Node's own
 * X.509 and key parsers check them, so a wrong or truncated file is reported at start,
 * naming the variable, instead of as a TLS handshake failure on the first request.
 */

export type PemKind = 'certificate' | 'private key';

/** The file's text, or why it cannot be used (a sentence that follows the variable's name). */
export function readPemFile(path: string, kind: PemKind): { pem: string } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { problem: `cannot be read (${code} ${path}): check the path and that this process may read it` };
  }
  const expected = kind === 'certificate' ? '-----BEGIN CERTIFICATE-----' : 'PRIVATE KEY-----';
  if (!text.includes('-----BEGIN ') || !text.includes(expected)) {
    return { problem: `is not a PEM ${kind} (${path} has no "${expected}" block)` };
  }
  try {
    if (kind === 'certificate') new X509Certificate(text);
    else createPrivateKey(text);
  } catch (error) {
    return { problem: `holds a PEM ${kind} that does not parse (${path}: ${error instanceof Error ? error.message : String(error)})` };
  }
  return { pem: text };
}

/** Why a client certificate and key do not belong together, or undefined when they do. */
export function certificateKeyMismatch(certPem: string, keyPem: string): string | undefined {
  const cert = new X509Certificate(certPem);
  return cert.checkPrivateKey(createPrivateKey(keyPem))
    ? undefined
    : `is not the private key of the certificate (subject ${cert.subject.replace(/\n/g, ', ')})`;
}
