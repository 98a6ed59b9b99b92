import type { Config } from '../config.js';
import { createBreakers } from '../controls/breakers.js';
import { createHoldReader } from '../controls/holds.js';
import { createPauses } from '../controls/pauses.js';
import { noControlCharacters } from '../methods/index.js';
import { parseCommand, refusal } from './args.js';
import { cliUser } from './cli-user.js';
import { type CommandDeps, type Out, stdio, withStore } from './with-store.js';

/**
 * The kill switch and the circuit breakers from the `payouts` CLI: `pause`, `resume`, and `controls`
 * (what is paused, each breaker's state); `payouts status <id>` shows what holds a waiting payout. Like the other commands they talk to Redis directly; the operator recorded is
 * the operating-system user running the command.
 */

/** The controls over a CLI command's connection. */
export function controlsFor(config: Config, deps: CommandDeps) {
  // The command prints what it did; the controls' own log lines would only say it twice.
  const logger = deps.logger.child({}, { level: 'error' });
  const controls = {
    pauses: createPauses({
      redis: deps.redis,
      queuePrefix: config.queuePrefix,
      queue: deps.queue,
      logger,
      notify: config.notify !== undefined,
      followDeployment: true,
    }),
    breakers: createBreakers({
      redis: deps.redis,
      queuePrefix: config.queuePrefix,
      settings: config.breaker,
      logger,
      notify: config.notify !== undefined,
    }),
  };
  return { ...controls, holdOf: createHoldReader(controls) };
}

const CONTROLS = { usage: 'payouts controls', options: {} } as const;

/** `payouts controls`: the pauses and the circuit breakers in force. */
export async function controls(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(CONTROLS, args);
  if (!parsed.ok) {
    io.err(parsed.message);
    return 2;
  }
  return withStore(config, async (deps) => {
    await printControls(controlsFor(config, deps), io);
    return 0;
  });
}

async function printControls(controls: ReturnType<typeof controlsFor>, io: Out): Promise<void> {
  const [pauses, breakers, held] = await Promise.all([
    controls.pauses.list(),
    controls.breakers.list(),
    controls.pauses.heldCount(),
  ]);
  io.out(pauses.length === 0 ? 'paused: none' : `paused: ${pauses.length} (${held} payout(s) held)`);
  for (const p of pauses) {
    io.out(`  ${p.payment_system}  since ${p.since} by ${p.by}${p.note ? `  note: ${p.note}` : ''}`);
  }
  const notClosed = breakers.filter((b) => b.state !== 'closed');
  io.out(
    `circuit breakers: ${notClosed.length === 0 ? 'all closed' : `${notClosed.length} not closed`}` +
      ` (threshold ${controls.breakers.settings.threshold || 'off'})`,
  );
  for (const b of breakers) {
    io.out(
      `  ${b.payment_system}  ${b.state.toUpperCase()}  ${b.consecutive_failures} without answer in a row` +
        `${b.until ? `  until ${b.until}` : ''}${b.probe ? `  probe ${b.probe}` : ''}`,
    );
  }
}

const specFor = (verb: 'pause' | 'resume') =>
  ({
    usage: `payouts ${verb} <payment_system | '*'> [--note "why"]`,
    positionals: ['payment_system'],
    options: { note: { type: 'string' } },
    expects: { note: '--note "why"' },
  }) as const;

function parseControlArgs(args: string[], verb: 'pause' | 'resume', io: Out) {
  const spec = specFor(verb);
  const parsed = parseCommand(spec, args);
  if (!parsed.ok) {
    io.err(parsed.message);
    return undefined;
  }
  const system = parsed.positionals[0]!.trim();
  const note = parsed.values.note?.trim();
  if (system === '' || !noControlCharacters(system) || (note !== undefined && !noControlCharacters(note))) {
    io.err(refusal(spec, 'the payment_system and the note must be text without control characters'));
    return undefined;
  }
  return { system, by: { who: cliUser(), via: 'cli' as const, ...(note ? { note } : {}) } };
}

export async function pause(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseControlArgs(args, 'pause', io);
  if (!parsed) return 2;
  return withStore(config, async (deps) => {
    const { before } = await controlsFor(config, deps).pauses.pause(parsed.system, parsed.by);
    io.out(
      `${parsed.system === '*' ? 'every payment_system' : parsed.system} paused${before ? ' (was already paused)' : ''}: ` +
        'its payouts stay queued until resumed',
    );
    return 0;
  });
}

export async function resume(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseControlArgs(args, 'resume', io);
  if (!parsed) return 2;
  return withStore(config, async (deps) => {
    const { removed, remaining, woken } = await controlsFor(config, deps).pauses.resume(
      parsed.system,
      parsed.by,
    );
    if (removed.length === 0) io.out(`${parsed.system} was not paused`);
    else io.out(`resumed ${removed.map((p) => p.payment_system).join(', ')}: ${woken} held payout(s) woken`);
    if (remaining.length > 0) {
      io.out(`still paused: ${remaining.map((p) => p.payment_system).join(', ')}`);
    }
    return 0;
  });
}
