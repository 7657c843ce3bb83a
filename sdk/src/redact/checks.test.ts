import { describe, expect, it } from 'vitest';
import { cardBrandValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, shannonEntropy, ssnValid } from './checks.js';

describe('checksums', () => {
  it('accepts Luhn-valid test cards and rejects a one-digit change', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(cardBrandValid('4111111111111111')).toBe(true);
    expect(cardBrandValid('9111111111111111')).toBe(false);
  });

  it('checks IBAN length per country and the mod-97 remainder', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
  });

  it('applies SSN issuance rules', () => {
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(ssnValid('666', '45', '6789')).toBe(false);
    expect(ssnValid('923', '45', '6789')).toBe(false);
    expect(ssnValid('123', '00', '6789')).toBe(false);
  });

  it('validates IP addresses', () => {
    expect(ipv4Valid('192.168.1.20')).toBe(true);
    expect(ipv4Valid('300.1.1.1')).toBe(false);
    expect(ipv6Valid('2001:db8::8a2e:370:7334')).toBe(true);
    expect(ipv6Valid('::ffff:192.168.1.1')).toBe(true);
    expect(ipv6Valid('10:30:00')).toBe(false);
  });

  it('measures entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
