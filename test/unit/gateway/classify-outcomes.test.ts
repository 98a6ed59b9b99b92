import { describe, expect, test } from 'vitest';
import {
  classify,
  DEFAULT_RETRY_AFTER_MS,
  MAX_MESSAGE_LENGTH,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  safeText,
} from '../../../src/gateway/classify.js';
import { answered, NOW, order } from './classify-fixture.js';

describe('what an outcome may carry', () => {
  test('display_data.card is masked to the first 6 and last 4', () => {
    const outcome = classify(
      answered(
        200,
        order(1, { display_data: { card: '4111111111111111', card_holder: 'John Doe', bank_name: 'X' } }),
      ),
    );
    expect(outcome).toMatchObject({
      kind: 'accepted',
      answer: { display_data: { card: '411111******1111', card_holder: 'John Doe', bank_name: 'X' } },
    });
    expect(JSON.stringify(outcome)).not.toContain('4111111111111111');
  });

  test('a card number anywhere in display_data or a reason is masked', () => {
    const outcome = classify(
      answered(
        200,
        order(5, {
          display_data: { note: 'card 4111 1111 1111 1111' },
          reason: 'card 5555555555554444 refused',
        }),
      ),
    );
    const text = JSON.stringify(outcome);
    expect(text).not.toMatch(/4111 1111 1111 1111|5555555555554444/);
    expect(text).toContain('555555******4444');
  });

  test('an error message echoing a card is masked, cut, and stripped of control characters', () => {
    const long = `card 4111111111111111 refused\n${'x'.repeat(500)}`;
    const outcome = classify(answered(422, { error: { message: long } }));
    expect(outcome.kind).toBe('rejected');
    const message = (outcome as { message: string }).message;
    expect(message).not.toContain('4111111111111111');
    expect(message).toContain('411111******1111');
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH + 60);
  });

  test('fields other than the error code and message are never echoed', () => {
    const outcome = classify(
      answered(400, {
        error: { code: 'bad', message: 'no' },
        payment_data: { card_number: '4000056655665556' },
        cvv: '123',
      }),
    );
    expect(JSON.stringify(outcome)).not.toMatch(/4000056655665556|cvv|123/);
  });

  test('an unsafe error code is replaced by the HTTP status', () => {
    expect(classify(answered(400, { error: { code: 'a b<script>' } }))).toMatchObject({ code: 'http_400' });
  });

  test('safeText masks long digit runs even when they fail Luhn', () => {
    expect(safeText('n 1234567890123456 x')).toBe('n 123456******3456 x');
  });
});

describe('Retry-After', () => {
  test.each<[string | undefined, number]>([
    [undefined, DEFAULT_RETRY_AFTER_MS],
    ['', DEFAULT_RETRY_AFTER_MS],
    ['0', 0],
    ['1', 1000],
    [' 120 ', 120_000],
    ['600', MAX_RETRY_AFTER_MS],
    ['601', MAX_RETRY_AFTER_MS],
    ['99999999999', MAX_RETRY_AFTER_MS],
    ['-5', DEFAULT_RETRY_AFTER_MS],
    ['1.5', DEFAULT_RETRY_AFTER_MS],
    ['soon', DEFAULT_RETRY_AFTER_MS],
    ['Sun, 01 Mar 2026 12:01:00 GMT', 60_000],
    ['Sunday, 01-Mar-26 12:01:00 GMT', 60_000],
    ['Sun Mar  1 12:01:00 2026', 60_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
    ['Mon, 02 Mar 2026 12:00:00 GMT', MAX_RETRY_AFTER_MS],
  ])('%j -> %i ms', (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});
