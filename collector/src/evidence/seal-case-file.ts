import type { StepDto } from '@casefile/contract';
import { canonicalJson } from './canonical.js';
import type { ProvedRuns } from './case-proof.js';
import { exportMessage, type Signer } from './signing.js';
import { caseFileDigest } from './verify-case-file.js';

/**
 * A case file as the collector hands it out: each step with its inclusion proof, the evidence the
 * proofs lead to, and (with a signing key) the Ed25519 signature over the file's digest. Returns the
 * canonical JSON text, the only form `casefile verify` accepts as unchanged.
 */
export function sealCaseFile<F extends { runs: { steps: StepDto[] }[] }>(
  file: F,
  proved: ProvedRuns,
  signer?: Signer,
): string {
  const sealed: F & { evidence: ProvedRuns['evidence']; signature?: unknown } = {
    ...file,
    runs: file.runs.map((r) => ({
      ...r,
      steps: r.steps.map((s) => ({ ...s, proof: proved.proofs.get(`${s.traceId}\0${s.spanId}`) ?? null })),
    })),
    evidence: proved.evidence,
  };
  if (signer) {
    const digest = caseFileDigest(sealed as unknown as Record<string, unknown>);
    sealed.signature = {
      algorithm: 'ed25519',
      keyId: signer.keyId,
      publicKeyPem: signer.publicKeyPem,
      digest,
      value: signer.sign(exportMessage(digest)),
    };
  }
  return canonicalJson(sealed);
}
