import { describe, expect, test } from 'vitest';
import { mainFields, mainOnly, requestFor, withPaymentData } from './fixtures.js';
import { freezeClockAtNow, validate } from './rules-fixture.js';

freezeClockAtNow();

describe('the documented examples pass', () => {
  test.each(withPaymentData)('$method $direction', ({ method, direction, data }) => {
    expect(validate[direction](requestFor(method, direction))).toEqual({
      ok: true,
      method,
      request: { ...mainFields, payment_data: data },
    });
  });

  test.each(mainOnly)('$method $direction (main only): no payment_data is sent', ({ method, direction }) => {
    expect(validate[direction](requestFor(method, direction))).toEqual({
      ok: true,
      method,
      request: mainFields,
    });
  });
});

describe('each required field, when missing, is reported at its path', () => {
  const rows = withPaymentData.flatMap(({ method, direction, data }) =>
    Object.keys(data).map((field) => ({ method, direction, field })),
  );
  test.each(rows)('$method $direction without $field', ({ method, direction, field }) => {
    const message = method === 'emanat' ? 'is required (phone_number is accepted too)' : 'is required';
    expect(validate[direction](requestFor(method, direction, { [field]: undefined }))).toEqual({
      ok: false,
      issues: [{ path: `payment_data.${field}`, message }],
    });
  });

  test.each(withPaymentData)('$method $direction without payment_data', ({ method, direction }) => {
    const request = requestFor(method, direction);
    delete request.payment_data;
    expect(validate[direction](request)).toEqual({
      ok: false,
      issues: [{ path: 'payment_data', message: 'is required' }],
    });
  });
});

describe('payment_data is strict', () => {
  test.each(withPaymentData)('$method $direction refuses an unknown field', ({ method, direction }) => {
    expect(validate[direction](requestFor(method, direction, { nickname: 'x' }))).toEqual({
      ok: false,
      issues: [
        { path: 'payment_data.nickname', message: `unknown field: ${method} ${direction}s do not take it` },
      ],
    });
  });

  const notObjects = withPaymentData.flatMap((row) =>
    [null, [], 'x', 5, true].map((value) => ({ ...row, value })),
  );
  test.each(notObjects)('$method $direction refuses payment_data $value', ({ method, direction, value }) => {
    expect(validate[direction]({ ...requestFor(method, direction), payment_data: value })).toEqual({
      ok: false,
      issues: [{ path: 'payment_data', message: 'must be an object' }],
    });
  });
});

describe('main-only directions take no payment_data', () => {
  test.each(mainOnly)('$method $direction: {} is accepted and left out', ({ method, direction }) => {
    expect(validate[direction]({ ...requestFor(method, direction), payment_data: {} })).toEqual({
      ok: true,
      method,
      request: mainFields,
    });
  });

  test.each(mainOnly)('$method $direction: a field is refused', ({ method, direction }) => {
    expect(
      validate[direction]({ ...requestFor(method, direction), payment_data: { phone: '994934331504' } }),
    ).toEqual({
      ok: false,
      issues: [{ path: 'payment_data.phone', message: `${method} ${direction}s take no payment_data` }],
    });
  });

  const notObjects = mainOnly.flatMap((row) => [null, [], 'x', 0].map((value) => ({ ...row, value })));
  test.each(notObjects)(
    '$method $direction: payment_data $value is refused',
    ({ method, direction, value }) => {
      expect(validate[direction]({ ...requestFor(method, direction), payment_data: value })).toEqual({
        ok: false,
        issues: [{ path: 'payment_data', message: `${method} ${direction}s take no payment_data` }],
      });
    },
  );
});
