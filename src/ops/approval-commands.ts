import type { Config } from '../config.js';
import { NO_CONTROL_CHARACTERS, noControlCharacters } from '../methods/index.js';
import { createOperatorActions } from '../operators/actions.js';
import { createAuditLog } from '../operators/audit.js';
import type { PayoutView } from '../producer/view.js';
import { act } from './act.js';
import { parseCommand, refusal } from './args.js';
import { cliUser } from './cli-user.js';
import { type Out, stdio, withStore } from './with-store.js';

/**
 * `payouts approve` and `payouts decline`: an approver's decision on a payout awaiting approval,
 * from the CLI. They take the same audited action as `POST /v1/payouts/:id/approve|decline` and the
 * console (src/operators/actions.ts), so the same transition and the same rules hold: the approvals
 * a payout needs come from different approvers, and the same approver twice is refused.
 *
 * The approver recorded is the operating-system user running the command (cli-user.ts); no option
 * names another, since a name chosen on the command line would let one person give both approvals
 * of a four-eyes payout.
 */

type Decision = 'approve' | 'decline';

/** The longest note the HTTP routes take; the CLI takes no more. */
const NOTE_MAX = 1000;

const specFor = (verb: Decision) =>
  ({
    usage: `payouts ${verb} <external_id> [--note "why"]`,
    positionals: ['external_id'],
    options: { note: { type: 'string' } },
    expects: { note: '--note "why"' },
  }) as const;

/** What the command prints once the decision is recorded. */
function describe(verb: Decision, p: PayoutView, who: string): string {
  if (verb === 'decline') return `declined ${p.external_id} as ${who}: rejected (declined_by_operator)`;
  const given = p.approvals?.given.length ?? 0;
  const needed = p.approvals?.needed ?? 1;
  if (p.status === 'awaiting_approval') {
    return (
      `approval ${given} of ${needed} recorded for ${p.external_id} as ${who}: ` +
      'it waits for another approver'
    );
  }
  return `approved ${p.external_id} as ${who}: ${p.status}, it will be sent`;
}

async function decide(verb: Decision, config: Config, args: string[], io: Out): Promise<number> {
  const spec = specFor(verb);
  const parsed = parseCommand(spec, args);
  if (!parsed.ok) {
    io.err(parsed.message);
    return 2;
  }
  const id = parsed.positionals[0]!;
  const note = parsed.values.note?.trim() || undefined;
  if (note !== undefined && !noControlCharacters(note)) {
    io.err(refusal(spec, `--note: ${NO_CONTROL_CHARACTERS}`));
    return 2;
  }
  if (note !== undefined && note.length > NOTE_MAX) {
    io.err(refusal(spec, `--note: at most ${NOTE_MAX} characters`));
    return 2;
  }
  const who = cliUser();
  return withStore(config, ({ producer, redis }) => {
    const actions = createOperatorActions({
      producer,
      audit: createAuditLog({ redis, queuePrefix: config.queuePrefix }),
    });
    return act(async () => describe(verb, await actions[verb](id, { who, via: 'cli' }, note), who), io);
  });
}

/** `payouts approve <external_id> [--note "why"]`: one approval, as the OS user. */
export const approve = (config: Config, args: string[], io = stdio) => decide('approve', config, args, io);

/** `payouts decline <external_id> [--note "why"]`: rejected (declined_by_operator), as the OS user. */
export const decline = (config: Config, args: string[], io = stdio) => decide('decline', config, args, io);
