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

  it('recognises hub IDs of published open-weights checkpoints (org/name with size or revision) as pinned', () => {
    for (const m of [
      'meta-llama/Llama-3.3-70B-Instruct',
      'mistralai/Mixtral-8x7B-Instruct-v0.1',
      'Qwen/Qwen2.5-72B-Instruct',
      'org/in-house-model@3f2a1b0',
    ]) {
      expect(isPinnedModel(m), m).toBe(true);
    }
    for (const m of ['openai/gpt-4o', 'anthropic/claude-sonnet-4', 'org/model:latest', 'org/assistant']) {
      expect(isPinnedModel(m), m).toBe(false);
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
