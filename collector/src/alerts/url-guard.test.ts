import { describe, expect, it } from 'vitest';
import { blockedAddressReason, literalAddressProblem } from './url-guard.js';

describe('webhook address guard', () => {
  it('refuses cloud metadata and link-local addresses in every spelling', () => {
    for (const a of [
      '169.254.169.254',
      '169.254.0.1',
      '100.100.100.200',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      'ff02::1',
    ]) {
      expect(blockedAddressReason(a), a).toMatch(/blocked range/);
    }
  });

  it('allows loopback and private networks unless told to block them', () => {
    for (const a of ['127.0.0.1', '::1', '10.1.2.3', '192.168.1.10', '172.20.0.5', 'fc00::5']) {
      expect(blockedAddressReason(a), a).toBeUndefined();
      expect(blockedAddressReason(a, true), a).toMatch(/blocked range/);
    }
    expect(blockedAddressReason('93.184.216.34', true)).toBeUndefined();
    expect(blockedAddressReason('2606:2800:220:1::1', true)).toBeUndefined();
  });

  it('checks literal hosts in URLs and leaves names to connection time', () => {
    expect(literalAddressProblem('http://169.254.169.254/latest/meta-data/')).toMatch(/blocked range/);
    expect(literalAddressProblem('http://[fd00:ec2::254]/')).toMatch(/blocked range/);
    expect(literalAddressProblem('http://[::ffff:169.254.169.254]/')).toMatch(/blocked range/);
    expect(literalAddressProblem('http://localhost:8080/hook')).toBeUndefined();
    expect(literalAddressProblem('https://hooks.slack.com/services/T/B/x')).toBeUndefined();
  });
});
