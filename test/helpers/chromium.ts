import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which brings no browser of its
 * own): installed when missing and we may (root on Linux), started headless as this machine runs it.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** As the machine runs Chromium: no sandbox as root, and no calls home on a closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Installs Debian's chromium when it is missing and we may (root on Linux); otherwise says how. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const canInstall =
    process.platform === 'linux' && process.getuid?.() === 0 && CHROMIUM === '/usr/bin/chromium';
  if (!canInstall) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, yet ${CHROMIUM} is missing`);
}

/** A headless Chromium; launch() gives it a fresh, temporary --user-data-dir of its own. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
