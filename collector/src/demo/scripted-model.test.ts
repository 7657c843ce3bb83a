import { describe, expect, it } from 'vitest';
import { createScriptedModel } from './scripted-model.js';

describe('scripted model', () => {
  it('gives the same tokens for the same seed and different ones for another seed', async () => {
    const usage = async (seed: number) => {
      const m = createScriptedModel(seed, 0);
      const out = [];
      for (let i = 0; i < 5; i++) out.push((await m.reply(400, 'Your order ships tomorrow.')).usage);
      return out;
    };
    expect(await usage(42)).toEqual(await usage(42));
    expect(await usage(42)).not.toEqual(await usage(43));
  });

  it('fails like a rate-limited provider', async () => {
    await expect(createScriptedModel(1, 0).fail()).rejects.toMatchObject({ name: 'RateLimitError', status: 429 });
  });
});
