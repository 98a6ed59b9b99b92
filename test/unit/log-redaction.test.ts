import { describe, expect, test } from 'vitest';
import { redactFields } from '../../src/log-redaction.js';

describe('redactFields', () => {
  test('censors a secret field at each of the first four depths, arrays included', () => {
    const fields = {
      cvv: '1',
      a: { cvv: '2', b: { cvv: '3', c: { cvv: '4', d: { cvv: '5' } } } },
      list: [{ card_number: '6' }, 'plain'],
    };
    expect(redactFields(fields)).toEqual({
      cvv: '[REDACTED]',
      a: { cvv: '[REDACTED]', b: { cvv: '[REDACTED]', c: { cvv: '[REDACTED]', d: { cvv: '5' } } } },
      list: [{ card_number: '[REDACTED]' }, 'plain'],
    });
  });

  test('censors headers to depth two, config and body at the top, and req.body', () => {
    const fields = {
      headers: { a: 1 },
      x: { headers: { a: 1 }, config: 1, body: 1 },
      config: 1,
      body: 1,
      req: { body: 1, url: '/v1' },
    };
    expect(redactFields(fields)).toEqual({
      headers: '[REDACTED]',
      x: { headers: '[REDACTED]', config: 1, body: 1 },
      config: '[REDACTED]',
      body: '[REDACTED]',
      req: { body: '[REDACTED]', url: '/v1' },
    });
  });

  test("never changes the caller's object, and returns it as it is when nothing is censored", () => {
    const nested = { password: 'p', keep: 1 };
    const fields = { outer: nested, external_id: 'po-1' };
    const out = redactFields(fields);
    expect(nested.password).toBe('p');
    expect(out).not.toBe(fields);
    const clean = { external_id: 'po-1', to: 'queued', attempt: 0 };
    expect(redactFields(clean)).toBe(clean);
  });

  test('leaves err and error to their serializer', () => {
    const err = Object.assign(new Error('x'), { config: { MERCHANT_KEY: 'k' } });
    const out = redactFields({ err, error: err });
    expect(out.err).toBe(err);
    expect(out.error).toBe(err);
  });
});
