import { describe, expect, it } from 'vitest';
import { luhnValid, Redactor } from '../../src/explain/redact.js';

describe('Redactor', () => {
  it('replaces personal data by typed placeholders, the same value by the same placeholder', () => {
    const redactor = new Redactor();
    const out = redactor.redact({
      customer: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0958' },
      recipient: 'Charles Babbage',
      contactName: 'Mary Somerville',
      billing: { email: 'ada@example.com' },
      note: 'Call ada@example.com or 020 7946 0000 after 5pm',
    });
    expect(out).toEqual({
      customer: { firstName: '<NAME_1>', lastName: '<NAME_2>', email: '<EMAIL_1>', phone: '<PHONE_1>' },
      recipient: '<NAME_3>',
      contactName: '<NAME_4>',
      billing: { email: '<EMAIL_1>' },
      note: 'Call <EMAIL_1> or <PHONE_2> after 5pm',
    });
    expect(redactor.summary()).toEqual({ counts: { NAME: 4, EMAIL: 1, PHONE: 2 }, total: 7 });
  });

  it('redacts card numbers only when they pass the Luhn check', () => {
    const redactor = new Redactor();
    expect(redactor.redact({ a: '4111 1111 1111 1111', b: '4111-1111-1111-1112', c: 5555555555554444 })).toEqual({
      a: '<CARD_1>',
      b: '4111-1111-1111-1112',
      c: '<CARD_2>',
    });
    expect(luhnValid('79927398713')).toBe(false); // too short for a card
    expect(luhnValid('378282246310005')).toBe(true);
  });

  it('redacts street addresses and postcodes, under keys and inside text', () => {
    const redactor = new Redactor();
    const out = redactor.redact({
      destination: { line1: '10 Park Row', city: 'Leeds', postcode: 'SW1A 9ZZ', country: 'GB' },
      message: "Postcode 'SW1A 9ZZ' does not match city 'Leeds'; deliver to 221B Baker Street",
      us: 'ship to 1600 Pennsylvania Avenue, 20500-0003',
      ca: 'K1A 0B1',
    });
    expect(out.destination).toEqual({ line1: '<ADDRESS_1>', city: 'Leeds', postcode: '<POSTCODE_1>', country: 'GB' });
    expect(out.message).toBe("Postcode '<POSTCODE_1>' does not match city 'Leeds'; deliver to <ADDRESS_2>");
    expect(out.us).toBe('ship to <ADDRESS_3>, <POSTCODE_2>');
    expect(out.ca).toBe('<POSTCODE_3>');
  });

  it('redacts secrets: task tokens, AWS keys, JWTs, IP addresses', () => {
    const token = `AQCEAAAAKgAAAAMAAAAAAAAAAb${'x7Kq9Zp2Lm4Nw8Rt'.repeat(8)}==`;
    const out = new Redactor().redact({
      taskToken: 'short-token',
      callback: `resume with ${token}`,
      key: 'AKIAIOSFODNN7EXAMPLE',
      config: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      auth: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      from: 'client 203.0.113.9 via 2001:db8::8a2e:370:7334',
    });
    expect(out).toEqual({
      taskToken: '<TASK_TOKEN_1>',
      callback: 'resume with <TASK_TOKEN_2>',
      key: '<AWS_ACCESS_KEY_1>',
      config: 'aws_secret_access_key = <AWS_SECRET_1>',
      auth: 'Bearer <JWT_1>',
      from: 'client <IP_1> via <IP_2>',
    });
  });

  it('redacts inside JSON held in strings (a Lambda cause), keeping it valid JSON', () => {
    const redactor = new Redactor();
    const input = { customer: { name: 'Grace Hopper', email: 'grace@navy.mil' } };
    const cause = JSON.stringify({ errorType: 'InvalidCustomer', errorMessage: 'Grace Hopper has no account', payload: JSON.stringify(input) });
    const out = redactor.redact({ input, cause });
    const parsed = JSON.parse(out.cause) as { errorMessage: string; payload: string };
    expect(parsed.errorMessage).toBe('<NAME_1> has no account');
    expect(JSON.parse(parsed.payload)).toEqual({ customer: { name: '<NAME_1>', email: '<EMAIL_1>' } });
    expect(JSON.stringify(out)).not.toMatch(/Grace|Hopper|navy\.mil/);
  });

  it('redacts "key":"value" pairs quoted inside non-JSON text', () => {
    const out = new Redactor().redactText(`The JSONPath '$.x' could not be found in the input '{"recipient":"Alan Turing","orderId":"o-1"}'`);
    expect(out).toBe(`The JSONPath '$.x' could not be found in the input '{"recipient":"<NAME_1>","orderId":"o-1"}'`);
  });

  it('keeps what is not personal: ids, dates, amounts, paths and expressions under personal keys', () => {
    const data = {
      orderId: '7f3c2a91', createdAt: '2026-01-05T11:30:00Z', day: '2016-12-05', total: 12.5, weightKg: 2.4, epoch: 1767612600,
      trace: 'at handler (/var/task/index.mjs:112:11)', version: 'v1.2.3', 'name.$': '$.customer.name', customer: '{% $states.input.customer %}',
      city: 'Canada Water',
    };
    const redactor = new Redactor();
    expect(redactor.redact(data)).toEqual(data);
    expect(redactor.summary().total).toBe(0);
  });

  it('matches names learnt under keys as whole words only', () => {
    const out = new Redactor().redact({ name: 'Ada', note: 'Ada ships to Canada' });
    expect(out).toEqual({ name: '<NAME_1>', note: '<NAME_1> ships to Canada' });
  });

  it('shows the home folder in local stack traces as ~', () => {
    const out = new Redactor({ homeDir: '/home/ada' }).redactText('at handler (file:///home/ada/dev/demo/functions/pay.ts:3:9)');
    expect(out).toBe('at handler (file://~/dev/demo/functions/pay.ts:3:9)');
  });

  it('redacts extra keys from deliv.yaml explain.redactKeys', () => {
    const out = new Redactor({ extraKeys: ['loyaltyId', 'national_id'] }).redact({ loyaltyId: 'LX-99', nationalId: 'QQ123456C', keep: 'LX-99 x' });
    expect(out).toEqual({ loyaltyId: '<REDACTED_1>', nationalId: '<REDACTED_2>', keep: '<REDACTED_1> x' });
  });
});
