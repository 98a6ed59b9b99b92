import type { AuditVia } from '../operators/audit.js';

/** What a pause is, as stored under the paused hash and as read back. */

/** `*`: every payment_system. */
export const ALL_SYSTEMS = '*';

export interface Pause {
  payment_system: string;
  since: string;
  by: string;
  note?: string;
}

export interface ChangeBy {
  who: string;
  /** The API (an operator's credential) or the CLI (the OS user). @defaultValue 'api' */
  via?: AuditVia;
  note?: string | undefined;
}

/** A pause as the paused hash holds it: its payment_system is the field, the rest the value (JSON). */
export const decodePause = (system: string, raw: string): Pause => ({
  ...(JSON.parse(raw) as Omit<Pause, 'payment_system'>),
  payment_system: system,
});
