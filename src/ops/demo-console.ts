import type { Config } from '../config.js';

/**
 * The demo's last line: where its payouts can be looked at in the console, saying only what this
 * process knows. A login is printed only for a system running in this process; a running system's
 * generated admin is in the banner of its own start, which the demo cannot read (its own process
 * generates other secrets).
 */

/** Where the demo's payouts went: a system it started itself, or one already running. */
export type DemoSystem =
  | { kind: 'own'; apiUrl: string /** kept up for the console until Ctrl-C */; staysUp: boolean }
  | { kind: 'running'; apiUrl: string /** the console answered at apiUrl */; answers: boolean };

/** How long the demo waits for a console to answer: one on this machine answers in milliseconds. */
const PROBE_TIMEOUT_MS = 2_000;

/** Whether a console answers at `apiUrl`: its login page, the one page that needs no login. */
export async function consoleAnswers(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiUrl}/console/login`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    // Refused, timed out, not HTTP: no console there.
    return false;
  }
}

export function demoConsoleLine(config: Config, system: DemoSystem): string {
  if (system.kind === 'own') {
    return system.staysUp
      ? `console: ${system.apiUrl}/console  (${ownLogin(config)})`
      : 'console: the system this demo started stops with it (no terminal to keep it up); `npm start` serves the console and prints its login';
  }
  return system.answers
    ? `console: ${system.apiUrl}/console  (log in with the admin the banner of \`npm start\` printed, or an operator of OPERATORS)`
    : `console: nothing answers at ${system.apiUrl} (HOST, PORT); the console is at /console on the API of the system that ran these payouts: the banner of \`npm start\` printed its address and login`;
}

/** The login of the system in this process: its generated admin, as its banner prints; a set secret never. */
function ownLogin(config: Config): string {
  const admin = config.dashboard;
  if (admin && config.generated.includes('DASHBOARD_PASSWORD'))
    return `log in as ${admin.user} / ${admin.password}`;
  if (admin) return `log in as ${admin.user} with DASHBOARD_PASSWORD, or an operator of OPERATORS`;
  return 'log in with an operator of OPERATORS';
}
