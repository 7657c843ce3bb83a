import type { Rule } from '../context.js';
import { outboundSensitiveData } from './outbound-sensitive-data.js';

/** Every detection rule, in the order they run. */
export const RULES: readonly Rule[] = [outboundSensitiveData];

export { outboundSensitiveData };
