import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import { createProgress, plainProgressLine, progressLine } from '../../../src/ops/progress.js';

const DETAIL =
  'settled  queued 12  sending 3  retry_scheduled 4  submitted 40  succeeded 80  failed 9  needs_review 6';

test.each([20, 40, 80, 120, 200])('at %i columns the line fits, with its count', (columns) => {
  const line = progressLine(45, 154, DETAIL, columns);
  expect(line.length).toBeLessThanOrEqual(columns - 1);
  expect(line).toMatch(/^\[#+\.+\] 45\/154/);
});

test.each([
  [0, 154, 0],
  [77, 154, 0.5],
  [154, 154, 1],
  [200, 154, 1],
])('%i of %i fills %f of the bar', (done, total, share) => {
  const bar = /^\[([#.]+)\]/.exec(progressLine(done, total, '', 80))![1]!;
  expect(bar.split('#').length - 1).toBe(Math.round(share * bar.length));
});

test('a short detail is shown whole at 80 columns; a long one is cut with an ellipsis', () => {
  expect(progressLine(1, 2, 'settled  queued 1', 80)).toBe(
    `[${'#'.repeat(10)}${'.'.repeat(9)}] 1/2  settled  queued 1`,
  );
  expect(progressLine(45, 154, DETAIL, 80)).toMatch(/…$/);
});

function fakeStream(tty: boolean) {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      writes.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  // As node's own: a terminal has columns, a pipe none.
  Object.assign(stream, tty ? { isTTY: true, columns: 80 } : { isTTY: false });
  return { stream, text: () => writes.join('') };
}

test('on an 80-column terminal the line is redrawn in place, never wider than the terminal', () => {
  const { stream, text } = fakeStream(true);
  const progress = createProgress(154, stream);
  for (let done = 0; done <= 154; done += 22) progress.update(done, DETAIL);
  progress.update(154, DETAIL);
  progress.stop();
  const out = text();
  // Each draw starts at the first column (cursorTo 0); only the end of the run adds a line.
  const draws = stripVTControlCharacters(out.replaceAll('\x1b[1G', '\r'))
    .split(/[\r\n]/)
    .filter(Boolean);
  expect(draws.length).toBeGreaterThanOrEqual(2);
  for (const d of draws) expect(d.length).toBeLessThanOrEqual(79);
  expect(draws.at(-1)).toMatch(/^\[#{19}\] 154\/154/);
  // One bar width for the whole run.
  expect(new Set(draws.map((d) => /^\[[#.]+\]/.exec(d)?.[0].length)).size).toBe(1);
  expect(out.split('\n').length - 1).toBe(1);
});

test('off a terminal each draw is a plain line of its own, uncut', () => {
  const { stream, text } = fakeStream(false);
  const progress = createProgress(154, stream);
  progress.update(45, DETAIL);
  progress.stop();
  const lines = text().split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(stripVTControlCharacters(text())).toBe(text());
  expect(lines.at(-1)).toBe(plainProgressLine(45, 154, DETAIL));
  expect(lines.at(-1)).toBe(`progress 45/154 (29%)  ${DETAIL}`);
});
