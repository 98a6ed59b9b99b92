import { isTerminal, type PayoutEvent, type PayoutState, TRANSITIONS } from './states.js';
import type { StoreContext } from './store-types.js';

/**
 * What the TRANSITION script is told about an event that never changes between calls: worked out
 * once per event and deployment (its state indexes' keys included), not on every move.
 */
export interface EventShape {
  to: PayoutState;
  needsToken: boolean;
  needsApprovals: boolean;
  /** The allowed from-states, comma-separated and wrapped in commas (ARGV[1]). */
  from: string;
  /** The indexes this event can touch, its from-states and its to-state: their keys and names. */
  stateKeys: string[];
  states: string;
  terminal: string;
  attemptsDelta: string;
  onlyIfNeverReached: string;
  refusedWithOrder: boolean;
  heldByControls: string;
}

const shapes = new WeakMap<StoreContext['keys'], Map<PayoutEvent, EventShape>>();

export function shapeOf(keys: StoreContext['keys'], event: PayoutEvent): EventShape {
  let byEvent = shapes.get(keys);
  if (!byEvent) {
    byEvent = new Map();
    shapes.set(keys, byEvent);
  }
  let shape = byEvent.get(event);
  if (shape) return shape;
  const rule = TRANSITIONS[event];
  const to: PayoutState = rule.to;
  const from: readonly PayoutState[] = rule.from;
  const states = from.includes(to) ? [...from] : [...from, to];
  shape = {
    to,
    needsToken: 'needsToken' in rule && rule.needsToken,
    needsApprovals: 'needsApprovals' in rule && rule.needsApprovals,
    from: `,${from.join(',')},`,
    stateKeys: states.map(keys.stateIndex),
    states: states.join(','),
    terminal: isTerminal(to) ? '1' : '0',
    attemptsDelta: to === 'sending' ? '1' : 'returnsAttempt' in rule && rule.returnsAttempt ? '-1' : '0',
    onlyIfNeverReached: 'onlyIfNeverReached' in rule && rule.onlyIfNeverReached ? '1' : '0',
    refusedWithOrder: 'refusedWithOrder' in rule && rule.refusedWithOrder,
    heldByControls: 'heldByControls' in rule && rule.heldByControls ? '1' : '0',
  };
  byEvent.set(event, shape);
  return shape;
}
