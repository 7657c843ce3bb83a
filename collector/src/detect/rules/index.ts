import type { Rule } from '../context.js';
import { outboundDataUrl } from './outbound-data-url.js';
import { outboundEncodedBlob } from './outbound-encoded-blob.js';
import { outboundSensitiveData } from './outbound-sensitive-data.js';

/** Every detection rule, in the order they run. */
export const RULES: readonly Rule[] = [outboundSensitiveData, outboundEncodedBlob, outboundDataUrl];

export { outboundDataUrl, outboundEncodedBlob, outboundSensitiveData };
