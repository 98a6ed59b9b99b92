import { sign } from '../../src/gateway/signature.js';
import { planControls } from './controls-chaos.js';
import type { OtherDoors } from './other-doors.js';
import type { ChaosRun } from './run-context.js';
import { type PlannedPayout, planPayouts } from './scenarios.js';

/**
 * The run's payouts (scenarios.ts), a share of them held for approval when the controls are in the
 * mix, and the gateway signatures of every request the run sends: a signature is a secret the scan
 * looks for too.
 */
export function planRun(run: ChaosRun, doors: OtherDoors): PlannedPayout[] {
  const plan = planPayouts(run.n, run.runId, run.secrets, run.random);
  if (run.opt.controls) planControls(plan, run.random, run.opt.approvalShare);
  const signatures: string[] = [];
  for (const p of plan) {
    const { method: _m, ...gatewayRequest } = p.body;
    signatures.push(sign(gatewayRequest, run.secrets.salt));
  }
  for (const d of [...doors.deposits, ...doors.cvvPayouts]) {
    const { method: _m, ...gatewayRequest } = d.body as Record<string, unknown>;
    signatures.push(sign(gatewayRequest, run.secrets.salt));
  }
  run.scanner.addSignatures(signatures);
  return plan;
}
