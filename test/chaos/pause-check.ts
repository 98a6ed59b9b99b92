import {
  type AuditRow,
  type ControlsPayout,
  type ControlsReport,
  iso,
  type PauseWindow,
  type ViewEntry,
} from './controls-report.js';

/** Not sent while paused (controls-accounting.ts states it), payout by payout, in the audit log's windows. */

const streamTime = (id: string) => Number(id.split('-')[0]);

/** The pause windows the audit log records, oldest first; a resume of `*` ends every pause. */
export function pauseWindowsFromAudit(entries: readonly AuditRow[]): PauseWindow[] {
  const ordered = [...entries].sort((a, b) => streamTime(a.id) - streamTime(b.id));
  const open = new Map<string, PauseWindow>();
  const windows: PauseWindow[] = [];
  for (const e of ordered) {
    if (e.action === 'controls.pause' && !open.has(e.target)) {
      const w = { system: e.target, from: streamTime(e.id), to: Number.POSITIVE_INFINITY };
      open.set(e.target, w);
      windows.push(w);
    } else if (e.action === 'controls.resume') {
      for (const [system, w] of open) {
        if (e.target === '*' || e.target === system) {
          w.to = streamTime(e.id);
          open.delete(system);
        }
      }
    }
  }
  return windows;
}

/** The pause invariants of one payout, and what the windows did to it. */
export function checkPauses(
  p: ControlsPayout,
  history: ViewEntry[],
  arrivals: readonly number[],
  releasedAt: number | undefined,
  input: { windows: readonly PauseWindow[]; slackMs: number },
  report: ControlsReport,
): void {
  const windows = input.windows.filter((w) => w.system === p.paymentSystem || w.system === '*');
  if (windows.length === 0) return;
  const claims = history.filter((h) => h.event === 'claim').map((h) => Date.parse(h.at));
  const inside = (t: number) => windows.find((w) => t >= w.from && t < w.to - input.slackMs);
  const describe = (w: PauseWindow) =>
    `${w.system} paused ${iso(w.from)} to ${Number.isFinite(w.to) ? iso(w.to) : 'the end'}`;
  for (const c of claims) {
    const w = inside(c);
    if (w) report.sentWhilePaused.push({ id: p.id, why: `claimed at ${iso(c)} while ${describe(w)}` });
  }
  for (const t of arrivals) {
    const w = inside(t);
    if (!w) continue;
    const claimedAt = Math.max(...claims.filter((c) => c <= t));
    if (claimedAt >= w.from || !Number.isFinite(claimedAt)) {
      const claimed = Number.isFinite(claimedAt) ? `claimed at ${iso(claimedAt)}` : 'no claim before it';
      report.sentWhilePaused.push({
        id: p.id,
        why: `gateway request at ${iso(t)} (${claimed}) while ${describe(w)}`,
      });
    } else report.pause.inFlightArrivals++;
  }
  // Waiting to be sent when a window ended (created, and released if it was held, before the end;
  // its first claim after it): the payouts the pause held back.
  const readyAt = releasedAt ?? Date.parse(p.view!.created_at);
  const firstClaim = claims[0];
  if (
    firstClaim !== undefined &&
    windows.some((w) => Number.isFinite(w.to) && readyAt < w.to && firstClaim >= w.to)
  )
    report.pause.heldThrough++;
}
