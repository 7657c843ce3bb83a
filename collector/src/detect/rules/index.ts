import type { Rule } from '../context.js';
import { approvalAfterExecution } from './approval-after-execution.js';
import { approvalDeniedExecuted } from './approval-denied-executed.js';
import { approvalHashMismatch } from './approval-hash-mismatch.js';
import { approvalMissing } from './approval-missing.js';
import { approvalReused } from './approval-reused.js';
import { argumentsShapeOutlier } from './arguments-shape-outlier.js';
import { destinationNew } from './destination-new.js';
import { outboundDataUrl } from './outbound-data-url.js';
import { outboundEncodedBlob } from './outbound-encoded-blob.js';
import { outboundSensitiveData } from './outbound-sensitive-data.js';
import { untrustedFlowsToAction } from './untrusted-flows-to-action.js';
import { untrustedFlowsToOutput } from './untrusted-flows-to-output.js';
import { untrustedInstructions } from './untrusted-instructions.js';
import { versionMissing } from './version-missing.js';
import { versionUnpinnedModel } from './version-unpinned-model.js';
import { versionUnseen } from './version-unseen.js';
import { volumeOutlier } from './volume-outlier.js';

/** Every detection rule, in the order they run. */
export const RULES: readonly Rule[] = [
  outboundSensitiveData,
  outboundEncodedBlob,
  outboundDataUrl,
  destinationNew,
  argumentsShapeOutlier,
  untrustedFlowsToAction,
  untrustedFlowsToOutput,
  untrustedInstructions,
  approvalMissing,
  approvalHashMismatch,
  approvalReused,
  approvalAfterExecution,
  approvalDeniedExecuted,
  versionMissing,
  versionUnpinnedModel,
  versionUnseen,
  volumeOutlier,
];

export {
  approvalAfterExecution,
  approvalDeniedExecuted,
  approvalHashMismatch,
  approvalMissing,
  approvalReused,
  argumentsShapeOutlier,
  destinationNew,
  outboundDataUrl,
  outboundEncodedBlob,
  outboundSensitiveData,
  untrustedFlowsToAction,
  untrustedFlowsToOutput,
  untrustedInstructions,
  versionMissing,
  versionUnpinnedModel,
  versionUnseen,
  volumeOutlier,
};
