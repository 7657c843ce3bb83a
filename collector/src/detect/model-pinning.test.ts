import { describe, expect, it } from 'vitest';
import { isPinnedModel } from './model-pinning.js';

describe('isPinnedModel', () => {
  it('recognises snapshot names of the major providers', () => {
    for (const m of [
      'gpt-4o-2024-08-06',
      'claude-sonnet-4-20250514',
      'claude-3-5-sonnet@20240620',
      'gpt-4-0613',
      'gpt-4-1106-preview',
      'mistral-large-2407',
      'gemini-1.5-pro-002',
      'anthropic.claude-3-sonnet-20240229-v1:0',
      'ft:gpt-4o-mini-2024-07-18:acme::9abc',
    ]) {
      expect(isPinnedModel(m), m).toBe(true);
    }
  });

  it('treats aliases and -latest as unpinned, unless the config pins them', () => {
    for (const m of [
      'gpt-4o',
      'claude-sonnet-4',
      'claude-sonnet-4-5',
      'chatgpt-4o-latest',
      'llama3:latest',
      'o3-mini',
      'gemini-2.0-flash-exp',
    ]) {
      expect(isPinnedModel(m), m).toBe(false);
    }
    expect(isPinnedModel('in-house-ranker', ['in-house-ranker'])).toBe(true);
  });
});
