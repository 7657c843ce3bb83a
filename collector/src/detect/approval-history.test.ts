import { describe, expect, it } from 'vitest';
import { rememberApproval, usesOfApproval } from './approval-history.js';

const use = (n: number, trace = `t${n}`) => ({ id: `apr-${n}`, traceId: trace });

describe('approval history', () => {
  it('remembers each ID once, forgets the oldest beyond the cap, and answers as a scan of the list would', () => {
    const list: { id: string; traceId: string }[] = [];
    for (let n = 0; n < 30; n++) rememberApproval(list, use(n % 25), 20);
    // 0–24, then 0–4 again: forgotten by then, so remembered anew, and 5–9 make room.
    expect(list.map((u) => u.id)).toEqual(
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 0, 1, 2, 3, 4].map((n) => `apr-${n}`),
    );
    for (let n = 0; n < 25; n++) {
      expect(usesOfApproval(list, `apr-${n}`)).toEqual(list.filter((u) => u.id === `apr-${n}`));
    }
  });

  it('sees a list changed by other code (a parsed baseline, an edited one) as it is now', () => {
    const list = [use(1), use(2, 'a'), use(2, 'b')];
    expect(usesOfApproval(list, 'apr-2').map((u) => u.traceId)).toEqual(['a', 'b']);
    list.push(use(3));
    expect(usesOfApproval(list, 'apr-3')).toHaveLength(1);
    list.splice(0, 2);
    expect(usesOfApproval(list, 'apr-1')).toEqual([]);
    expect(usesOfApproval(list, 'apr-2').map((u) => u.traceId)).toEqual(['b']);
  });
});
