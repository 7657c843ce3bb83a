import { describe, expect, it } from 'vitest';
import { findDisclosed, findProseSecrets } from './prose.js';

function found(text: string): string[] {
  const out: string[] = [];
  findProseSecrets(text, (h) => out.push(text.slice(h.start, h.end)));
  findDisclosed(text, (h) => out.push(text.slice(h.start, h.end)));
  return out;
}

const KEY = 'q7Rk2mXv9LpT4wZc8NbY3hJd';
const HEX = '8b1118b376c313ed420e5133ba91307817ed52c2';

describe('findProseSecrets', () => {
  it('finds a value after a keyword with no operator', () => {
    expect(found(`calling upstream with credential ${KEY}`)).toEqual([KEY]);
    expect(found(`invalid token ${KEY}`)).toEqual([KEY]);
    expect(found(`401: invalid token ${HEX}.`)).toEqual([HEX]);
    expect(found(`the new password is Tr0ub4dor&3, keep it safe`)).toEqual(['Tr0ub4dor&3']);
    expect(found(`Your API key: ${KEY}`)).toEqual([KEY]);
    expect(found(`rotated the secret to "${KEY}"`)).toEqual([KEY]);
  });

  it('looks past a few ordinary words between keyword and value', () => {
    expect(found(`the bearer I pasted was ${KEY}`)).toEqual([KEY]);
    expect(found(`token expired (${KEY})`)).toEqual([KEY]);
    expect(found(`auth failed using key ${HEX}, retrying`)).toEqual([HEX]);
    // Not past a word that says what the value is, nor past more than three words.
    expect(found(`token refresh failed for request ${KEY}`)).toEqual([]);
    expect(found(`token usage grew a lot since commit ${HEX}`)).toEqual([]);
    expect(found(`the token budget was raised again after deploy ${KEY}`)).toEqual([]);
  });

  it('finds a machine-made value handed over without a keyword', () => {
    expect(found(`here is the value you asked for: ${KEY}`)).toEqual([KEY]);
  });

  it('leaves words, IDs and hashes after keywords alone', () => {
    expect(found('Use a strong password combination.\n\nR5: Regulatory--21')).toEqual([]);
    expect(found('The token refresh failed for user 12345678')).toEqual([]);
    expect(found('the API key is stored in the vault')).toEqual([]);
    expect(found('password for the account was reset yesterday')).toEqual([]);
    expect(found('secretSize must be >= XXH3_SECRET_SIZE_MIN')).toEqual([]);
    expect(found(`commit: ${HEX}`)).toEqual([]);
    expect(found('tool call id: call_Xk29mQpLr8TnW4vBz7YcAa1d')).toEqual([]);
    expect(found('request ID: Xa8sd7f6A8sdf76asd8f7Q2w')).toEqual([]);
    expect(found('key press handled in 12ms')).toEqual([]);
    expect(found('sort by key ascending')).toEqual([]);
  });
});
