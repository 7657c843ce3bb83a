import { z } from 'zod';

/** Nanosecond times travel as decimal strings: JSON has no 64-bit integers. */
export const nanosSchema = z.string().regex(/^\d{1,20}$/, 'nanoseconds as a decimal string');
