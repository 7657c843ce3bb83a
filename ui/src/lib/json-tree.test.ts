import { describe, expect, it } from 'vitest';
import { buildJsonTree, parseJsonTree, summarise } from './json-tree';

describe('json tree', () => {
  it('builds nested nodes with paths and typed leaves', () => {
    const tree = parseJsonTree('{"to":"a@b.c","amount":2000,"items":[true,null]}')!;
    expect(tree.type).toBe('object');
    if (tree.type !== 'object') return;
    expect(tree.children.map((c) => [c.key, c.path, c.type])).toEqual([
      ['to', '$.to', 'value'],
      ['amount', '$.amount', 'value'],
      ['items', '$.items', 'array'],
    ]);
    expect(tree.children[0]).toMatchObject({ valueType: 'string', text: '"a@b.c"' });
    expect(summarise(tree.children[2]!)).toBe('[2 items]');
    expect(summarise(tree)).toBe('{3 keys}');
  });

  it('returns null for text that is not JSON, so it is shown raw', () => {
    expect(parseJsonTree('<img src=x onerror=alert(1)>')).toBeNull();
    expect(parseJsonTree('')).toBeNull();
  });

  it('bounds width and depth of hostile payloads', () => {
    const wide = buildJsonTree(
      Array.from({ length: 10 }, (_, i) => i),
      { maxDepth: 5, maxChildren: 3 },
    );
    expect(wide.type === 'array' && [wide.children.length, wide.truncated]).toEqual([3, 7]);
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    const tree = buildJsonTree(deep, { maxDepth: 4, maxChildren: 10 });
    let n = tree;
    let depth = 0;
    while (n.type !== 'value') {
      n = n.children[0]!;
      depth++;
    }
    expect(depth).toBe(4);
    expect(n.text.endsWith('…')).toBe(true);
  });
});
