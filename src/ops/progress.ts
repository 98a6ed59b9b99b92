import { SingleBar } from 'cli-progress';

/**
 * A progress line for long operator commands (the demo; an import). On a terminal it is one line
 * redrawn in place, cut to the terminal's width (80 columns included) at every redraw, so a resize
 * or a long detail never wraps it into a scroll of half-lines; elsewhere (a pipe, CI, a log file)
 * it is a plain line each second.
 *
 * cli-progress does the terminal's part: redrawing in place, throttling redraws, hiding the cursor,
 * the once-a-second schedule off a terminal, and restoring the terminal on Ctrl-C. This file only
 * decides what the line says.
 */

export interface Progress {
  /** `done` of the total are finished; `detail` says more (cut first when the line is too long). */
  update(done: number, detail?: string): void;
  /** Draws the last state and ends the line. */
  stop(): void;
}

/** The widest and narrowest bar drawn; the rest of the line is the count and the detail. */
const BAR_MAX = 30;
const BAR_MIN = 10;

/**
 * The line for a terminal `columns` wide: `[#####.....] 45/154 detail`, never wider than
 * `columns - 1` (a line filling the last column makes some terminals wrap it).
 */
export function progressLine(done: number, total: number, detail: string, columns: number): string {
  const width = Math.max(20, columns) - 1;
  const count = `${done}/${total}`;
  const room = width - count.length - 4; // brackets and two spaces
  // The bar keeps one width for the whole run (a quarter of the terminal, 20 at 80 columns), so it does
  // not jump as the detail grows; the detail is cut instead. On a very narrow terminal the bar shrinks too.
  const barWidth = Math.min(room, Math.max(BAR_MIN, Math.min(BAR_MAX, Math.floor(width / 4))));
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * barWidth) : 0;
  const line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${count}${detail ? `  ${detail}` : ''}`;
  return cutTo(line, width);
}

/** The line off a terminal: no bar, nothing cut (a log keeps every word). */
export function plainProgressLine(done: number, total: number, detail: string): string {
  const percent = total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 0;
  return `progress ${done}/${total} (${percent}%)${detail ? `  ${detail}` : ''}`;
}

const cutTo = (line: string, width: number) => (line.length <= width ? line : `${line.slice(0, width - 1)}…`);

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stdout): Progress {
  const tty = stream.isTTY === true;
  const bar = new SingleBar({
    stream,
    format: (_options, params, payload: { detail?: string }) =>
      tty
        ? progressLine(params.value, params.total, payload.detail ?? '', stream.columns || 80)
        : plainProgressLine(params.value, params.total, payload.detail ?? ''),
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 1_000,
    fps: 5,
    // The line is already cut to fit: the terminal's own wrapping is left as it is.
    linewrap: null,
  });
  bar.start(total, 0, { detail: '' });
  return {
    update: (done, detail = '') => bar.update(done, { detail }),
    stop: () => bar.stop(),
  };
}
