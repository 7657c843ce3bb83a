import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { sha256Hex } from './merkle.js';

/**
 * Ed25519 signatures over chain heads and exports. The collector signs the hash of every entry it
 * appends (so whichever entry is a chain's head is signed) and the digest of every export; a verifier
 * checks them with the public key, which it should hold from a trusted source (`--public-key`), not
 * from the export alone.
 */

export interface Signer {
  /** Hex signature of a domain-separated message. */
  sign(message: string): string;
  /** The public key as PEM (SPKI). */
  readonly publicKeyPem: string;
  /** First 16 hex characters of SHA-256 over the public key's DER: how reports name the key. */
  readonly keyId: string;
}

/** Messages signed for a chain head and for an export digest; the prefix keeps one from passing as the other. */
export const headMessage = (hash: string) => `casefile.chain/v1 entry ${hash}`;
export const exportMessage = (digest: string) => `casefile.case/v2 export ${digest}`;

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

/** A signer from a PKCS#8 PEM private key (Ed25519). Throws with a message naming what is wrong. */
export function createSigner(privateKeyPem: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new Error('the signing key is not a PEM private key', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the signing key must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'a symmetric key'}`);
  }
  const publicKey = createPublicKey(key);
  return {
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), key).toString('hex'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** A public key from PEM (SPKI), or undefined when the text is not an Ed25519 public key. */
export function parsePublicKey(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

export function verifySignature(publicKey: KeyObject, message: string, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

/** A new key pair as PEM, for `casefile keygen` and tests. */
export function generateSigningKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
