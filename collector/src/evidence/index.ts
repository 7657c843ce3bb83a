/**
 * `@casefile/collector/evidence`: the hash chain, its verification and case-file proofs, for tools
 * that work on a store or an export outside a running collector (benchmarks, audits).
 */
export type { CaseEvidence, EntryRecord, GroupProof, ProvedRuns, SpanProof } from './case-proof.js';
export { proveRuns } from './case-proof.js';
export type { ChainRecorder, ChainRecorderOptions } from './chain-recorder.js';
export { createChainRecorder } from './chain-recorder.js';
export { sealCaseFile } from './seal-case-file.js';
export type { Signer } from './signing.js';
export { createSigner, generateSigningKey, parsePublicKey } from './signing.js';
export type { IntegrityReport, IntegrityScope, VerifyOptions, VerifyProgress } from './verify.js';
export { verifyIntegrity } from './verify.js';
export type { ExportProblem, ExportReport, ExportVerifyOptions } from './verify-case-file.js';
export { caseFileDigest, verifyCaseFile } from './verify-case-file.js';
