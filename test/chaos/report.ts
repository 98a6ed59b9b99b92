import type { ControlsReport } from './controls-accounting.js';
import type { ChaosReport } from './types.js';

/** Adds one line of the table: a label, and its value. */
type Row = (label: string, value: string | number) => void;

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sorted = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]);

/** The chaos report as a plain-text table for a terminal or a CI log. */
export function formatReport(r: ChaosReport): string {
  const rows: [string, string][] = [];
  const row: Row = (label, value) => rows.push([label, String(value)]);
  submissionRows(r, row);
  resultRows(r, row);
  notificationRows(r, row);
  row(
    `chaos: worker SIGKILLs / Redis ${r.run.redisFault === 'fail-over' ? 'fail-overs' : 'SIGKILLs'} (${r.run.durability})`,
    `${r.chaos.workerKills} / ${r.chaos.redisRestarts}`,
  );
  if (r.controls) controlsRows(r.controls, row);
  processAndTimingRows(r, row);
  if (r.security) securityRows(r.security, row);
  row(
    'log lines',
    sorted(r.logs.lines)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );

  const width = Math.max(...rows.map(([l]) => l.length));
  const out = [
    `Chaos run ${r.run.id}: ${r.run.payouts} payouts, seed ${r.run.seed}, ${Object.keys(r.run.methods).length} methods, ${Object.keys(r.run.scenarios).length} scenarios`,
    ...rows.map(([l, v]) => `${l.padEnd(width)}  ${v}`),
  ];
  if (r.logs.warnings.length > 0) {
    out.push('warn/error log lines (most frequent):');
    for (const w of r.logs.warnings.slice(0, 12))
      out.push(`  ${String(w.count).padStart(6)}  ${w.level}  ${w.msg.slice(0, 110)}`);
  }
  out.push(r.ok ? 'RESULT: every invariant held' : `RESULT: FAILED\n  - ${r.failures.join('\n  - ')}`);
  return out.join('\n');
}

/** The POSTs: submitted, accepted, retried, and their answers. */
function submissionRows(r: ChaosReport, row: Row): void {
  row('payouts submitted', r.submission.submitted);
  row(
    '  accepted (202 / 200 on a retry)',
    `${r.submission.accepted} (${r.submission.created202} / ${r.submission.repeated200})`,
  );
  row('  POSTs retried after 503 / network error', r.submission.retried);
  row('  of which an earlier refused POST had stored it', r.submission.storedDespiteRefusal.length);
  row(
    '  POST answers',
    sorted(r.submission.answers)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', '),
  );
}

/** Where the payouts ended, and what the gateway saw of them. */
function resultRows(r: ChaosReport, row: Row): void {
  row('lost', r.results.lost);
  row('sent twice', r.results.sentTwice);
  row('body changed between attempts', r.results.bodyChanged);
  row('terminal state the gateway contradicts', r.results.wrongFinalState);
  row('by final state', '');
  for (const [state, count] of sorted(r.results.byFinalState)) row(`  ${state}`, count);
  row('needs_review reasons', '');
  for (const [reason, count] of sorted(r.results.needsReviewReasons)) row(`  ${reason.slice(0, 70)}`, count);
  row('  of which the gateway has a final order', r.results.needsReviewWithGatewayOrder);
  row('passed through needs_review (any end), by reason', '');
  for (const [reason, count] of sorted(r.results.passedThroughReview)) row(`  ${reason.slice(0, 70)}`, count);
  row('worker_lost_mid_send, then the holder answered', r.results.liveHoldersTakenForLost.length);
  row('passed through retry_scheduled', r.results.retried);
  row(
    'gateway requests (429 / 503 refusals)',
    `${r.results.gatewayRequests} (${r.results.gatewayRefusals.http429} / ${r.results.gatewayRefusals.http503})`,
  );
  row('contradictions recorded', r.results.contradictions);
}

function notificationRows(r: ChaosReport, row: Row): void {
  const n = r.notifications;
  row(
    'terminal payouts notified with their terminal event',
    `${n.notifiedWithTerminalEvent} / ${n.terminalPayouts}`,
  );
  row(
    'notifications per terminal payout (min/avg/max)',
    `${n.perTerminalPayout.min} / ${n.perTerminalPayout.avg} / ${n.perTerminalPayout.max}`,
  );
  row(
    'notifications: delivered, repeats, refused on purpose, bad signature',
    `${n.deliveries}, ${n.repeats}, ${n.refusedOnPurpose}, ${n.badSignature}`,
  );
  row(
    'terminal change to its notification (p50/p99/max)',
    `${sec(n.terminalDelayMs.p50)} / ${sec(n.terminalDelayMs.p99)} / ${sec(n.terminalDelayMs.max)}`,
  );
  row('notification outbox, longest', `${n.outboxMax.length} (at ${sec(n.outboxMax.atMs)})`);
}

/** The operator controls' lines: the approvals' mix and ends, the pause windows, the two invariants. */
function controlsRows(c: ControlsReport, row: Row): void {
  const a = c.approvals;
  row(
    'approvals planned',
    Object.entries(a.planned)
      .map(([role, count]) => `${role} ${count}`)
      .join(', '),
  );
  row(
    '  held / approved (four eyes) / declined / expired',
    `${a.held} / ${a.approved} (${a.fourEyes}) / ${a.declined} / ${a.expired}`,
  );
  row('  ended otherwise than planned (late approval, ...)', a.unexpectedEnds.length);
  row(
    '  same approver twice: tried / refused / accepted',
    `${a.sameApproverTwice.tried} / ${a.sameApproverTwice.refused} / ${a.sameApproverTwice.accepted.length}`,
  );
  row('sent while unapproved', c.sentWhileUnapproved.length);
  const gap = c.evidence.approvalToGatewayMs;
  row(
    '  evidence: arrivals recorded / counted by the gateway; approval to gateway',
    `${c.evidence.arrivalsRecorded} / ${c.evidence.gatewayCounted}; ${gap ? `${gap.min}..${gap.max} ms` : '-'}`,
  );
  row(
    'pause windows (audit log)',
    c.pause.windows
      .map((w) => `${w.system} ${w.ms === null ? 'never resumed' : `${(w.ms / 1000).toFixed(1)} s`}`)
      .join(', ') || 'none',
  );
  row(
    '  payouts held through a window / requests in flight when it began',
    `${c.pause.heldThrough} / ${c.pause.inFlightArrivals}`,
  );
  row('sent while paused', c.sentWhilePaused.length);
}

/** The processes' own exits and shutdown, and how long each phase took. */
function processAndTimingRows(r: ChaosReport, row: Row): void {
  row('processes that exited by themselves', r.chaos.unexpectedExits.length);
  row(
    'graceful shutdown (exit codes)',
    r.chaos.shutdown.map((s) => `${s.name} ${s.code ?? s.signal}${s.forced ? ' (forced)' : ''}`).join(', '),
  );
  row('time: startup', sec(r.timing.startupMs));
  row('time: submitting', sec(r.timing.submitMs));
  row(
    'time to drain (from first POST / after last POST)',
    `${sec(r.timing.drainMs)} / ${sec(r.timing.drainAfterLastPostMs)}${r.timing.drained ? '' : ' (NOT DRAINED)'}`,
  );
  row('time: whole run', sec(r.timing.totalMs));
}

/** The secret scan: hits, what was scanned, and the doors. */
function securityRows(s: NonNullable<ChaosReport['security']>, row: Row): void {
  row('security: secret hits', s.hits);
  row(
    '  scanned',
    Object.entries(s.scanned)
      .map(([k, v]) => `${k} ${v.items} (${(v.chars / 1e6).toFixed(1)} MB)`)
      .join(', '),
  );
  row(
    '  redis keys by type',
    sorted(s.redis.byType)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );
  row('  AOF/RDB files scanned', `${s.redis.aofFiles} (${(s.redis.aofBytes / 1e6).toFixed(1)} MB)`);
  row(
    '  doors answering 401 without valid credentials',
    `${s.doors.length - s.doorFailures.length} / ${s.doors.length}`,
  );
  row('  Bull Board job details read', s.boardJobDetails);
}
