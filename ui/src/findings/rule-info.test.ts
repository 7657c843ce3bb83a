import { describe, expect, it } from 'vitest';
import { RULES } from '../../../collector/src/detect/index';
import { ruleInfo } from './rule-info';

describe('ruleInfo', () => {
  it('describes every rule the collector runs', () => {
    const missing = RULES.map((r) => r.id).filter((id) => ruleInfo(id) === '');
    expect(missing).toEqual([]);
  });

  it('has nothing for unknown or prototype names', () => {
    expect(ruleInfo('no.such_rule')).toBe('');
    expect(ruleInfo('__proto__')).toBe('');
    expect(ruleInfo('constructor')).toBe('');
  });
});
