/** The one step order (start, ancestry, recorded sequence, end, span ID) lives in the contract, shared with the UI. */
export { compareSteps, orderSteps, STEP_SEQ_ATTRIBUTE, stepSeq } from '@casefile/contract';
