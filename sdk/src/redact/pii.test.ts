import { describe, expect, it } from 'vitest';
import { cardBrand } from './checks.js';
import { createRedactor } from './index.js';
import { findPhones } from './phones.js';

function phones(text: string): string[] {
  const out: string[] = [];
  findPhones(text, (s, e) => out.push(text.slice(s, e)));
  return out;
}

describe('phone numbers', () => {
  it('finds the shapes people and generators write', () => {
    for (const p of [
      '+44 20 7946 0958',
      '+1-202-555-0143x1234',
      '+1 (415) 555-2671 ext. 45',
      '001-202-555-0143',
      '001-212-555-0199x4411',
      '0049 30 1234567',
      '(202) 555-0143',
      '(017)555-1234',
      '082.555.1234x53',
      '123-456-7890',
      '020 7946 0958',
      '01632 960123',
      '(0123) 456 7890',
      '06 12 34 56 78',
      '06-12345678',
      '+33 6 12 34 56 78',
      '+91 98765 43210',
      '+49-7896-895-1876',
    ]) {
      expect(phones(`call me at ${p} today`), p).toEqual([p]);
    }
  });

  it('finds national numbers without a trunk prefix after a phone word', () => {
    expect(phones('mobile: 612 345 678')).toEqual(['612 345 678']);
    expect(phones('Phone 7911 123456, thanks')).toEqual(['7911 123456']);
    expect(phones('reach me on 5551234567')).toEqual(['5551234567']);
    expect(phones('I can be reached at 555-0123 anytime')).toEqual(['555-0123']);
    expect(phones('ticket 555-0123 closed')).toEqual([]);
    expect(phones('call 8 (495) 123-45-67')).toEqual(['8 (495) 123-45-67']);
  });

  it('splits two numbers written side by side', () => {
    expect(phones('555-123-4567 555-987-6543')).toEqual(['555-123-4567', '555-987-6543']);
  });

  it('leaves dates, amounts, versions, IPs and IDs alone', () => {
    for (const t of [
      'released on 2024-01-15 at 10:20',
      'total 1 234 567 EUR',
      'total 12.345.678',
      'version 10.2.33.4411',
      'host 192.168.100.200',
      'order 5551234567 shipped',
      'ts=1700000000123',
      'range 100-200',
      'build 20240115-123456',
      'id ORD-123-456-7890',
    ]) {
      expect(phones(t), t).toEqual([]);
    }
  });
});

describe('one phone number, one token', () => {
  const r = createRedactor({ key: 'phone-key' });
  const token = (text: string) => /\[phone:[0-9a-f]{8}\]/.exec(r.redactString(text).text)?.[0];

  it('gives every writing of a number the same token when the writing says which number it is', () => {
    const us = ['(415) 555-0132', '415-555-0132', '1-415-555-0132', '+1 415 555 0132', '001 415 555 0132'];
    expect(new Set(us.map((p) => token(`call ${p} today`))).size).toBe(1);
    expect(token('call +44 20 7946 0958')).toBe(token('call 0044 20 7946 0958'));
    expect(token('call 415-555-0132 x204')).toBe(token('call +1 (415) 555-0132 ext. 204'));
    expect(token('call 415-555-0132 x204')).not.toBe(token('call 415-555-0132'));
  });

  it('keeps a national number with a trunk 0 apart: it does not say its country', () => {
    expect(token('call 020 7946 0958')).toBeDefined();
    expect(token('call 020 7946 0958')).not.toBe(token('call +44 20 7946 0958'));
  });
});

describe('payment cards and IBANs', () => {
  const r = createRedactor({ key: 'k' });

  it('knows the card networks by prefix and length', () => {
    expect(cardBrand('4111111111111111')).toBe('visa');
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('2223000048400011')).toBe('mastercard');
    expect(cardBrand('3530111333300000')).toBe('jcb');
    expect(cardBrand('180000000000002')).toBe('jcb');
    expect(cardBrand('213100000000001')).toBe('jcb');
    expect(cardBrand('6759649826488453')).toBe('maestro');
    expect(cardBrand('675964982648')).toBe('maestro');
    expect(cardBrand('6200000000000005')).toBe('unionpay');
    expect(cardBrand('2200000000000004')).toBe('mir');
    expect(cardBrand('9111111111111111')).toBeUndefined();
  });

  it('redacts 12-digit Maestro and JCB 1800/2131/35xx cards', () => {
    for (const card of ['6759 6498 2648', '1800 0000 0000 002', '2131 0000 0000 001', '3569 9900 1009 5841']) {
      expect(r.redactString(`paid with card ${card} today`).text, card).toMatch(
        /^paid with card \[card:[^\]]+\] today$/,
      );
    }
  });

  it('does not take a 12-digit account number for a card without a card word', () => {
    expect(r.redactString('arn:aws:iam::675964982648:role/deploy').count).toBe(0);
  });

  it('redacts lower-case and grouped IBANs', () => {
    for (const iban of ['de89370400440532013000', 'de89 3704 0044 0532 0130 00', 'GB82 WEST 1234 5698 7654 32']) {
      expect(r.redactString(`refund to ${iban} please`).text, iban).toMatch(/^refund to \[iban:[^\]]+\] please$/);
    }
    expect(r.redactString('refund to dE89370400440532013000').count).toBe(0);
    // The country fixes the length, so a following word is never read as a last group.
    expect(r.redactString('send it to account be43 6340 4005 2834 today').text).toBe(
      r.redactString('send it to account BE43634040052834 today').text,
    );
  });
});
