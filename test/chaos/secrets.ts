import { randomBytes, randomInt } from 'node:crypto';

/**
 * The secrets of one chaos run, fresh every run, and the scanner that looks for them. Card numbers
 * come from a BIN no test fixture uses plus random digits and a Luhn check digit, so a hit can only
 * be this run's data, never a fixture or a masked number.
 */

export interface RunSecrets {
  merchantKey: string;
  salt: string;
  /** PAYLOAD_KEY as configured (base64 of 32 bytes). */
  payloadKey: string;
  apiKey: string;
  dashboardUser: string;
  dashboardPassword: string;
  notifySecret: string;
  /** The secrets of the run's two approver operators (OPERATORS holds only their hashes). */
  operatorSecrets: string[];
  /** Luhn-valid 16-digit card numbers used by the run's card payouts and deposits. */
  cards: string[];
  /** VegaWallet passwords used by the run's wallet payouts and deposits. */
  walletPasswords: string[];
  /** 4-digit cvvs of the run's card deposits (and of the payouts that must be refused for carrying one). */
  cvvs: string[];
}

/** A BIN that none of the repository's fixtures use (they use 411111, 555555, ...). */
const CHAOS_BIN = '453987';

export function luhnCheckDigit(partial: string): string {
  let sum = 0;
  let double = true; // the check digit is appended to the right, so the last digit here is doubled
  for (let i = partial.length - 1; i >= 0; i--) {
    let d = partial.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

export function randomCardNumber(bin = CHAOS_BIN, length = 16): string {
  let digits = bin;
  while (digits.length < length - 1) digits += String(randomInt(10));
  return digits + luhnCheckDigit(digits);
}

const token = (prefix: string, bytes = 12) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

export function generateRunSecrets(): RunSecrets {
  const distinct = <T>(make: () => T, n: number): T[] => {
    const out = new Set<T>();
    while (out.size < n) out.add(make());
    return [...out];
  };
  return {
    merchantKey: token('chaos-mk-'),
    salt: token('chaos-salt-'),
    payloadKey: randomBytes(32).toString('base64'),
    apiKey: token('chaos-api-', 18),
    dashboardUser: 'ops',
    dashboardPassword: token('chaos-dash-'),
    notifySecret: token('chaos-notify-'),
    operatorSecrets: distinct(() => token('chaos-op-'), 2),
    cards: distinct(() => randomCardNumber(), 6),
    walletPasswords: distinct(() => token('Wp', 10), 4),
    // 4 digits, none starting with 0, so they read as what they are in any context.
    cvvs: distinct(() => String(randomInt(1000, 10000)), 4),
  };
}

export interface SecretHit {
  /** Where it was found, e.g. `redis:hash {prefix}:payout:x` or `log:worker-1#2`. */
  source: string;
  /** Which secret (its name, never its value). */
  secret: string;
  /** The text around the hit with the secret itself replaced by its name. */
  context: string;
}

interface Needle {
  label: string;
  value: string;
}

const MAX_HITS_KEPT = 200;

/**
 * Looks for every secret of the run in texts. Literal secrets are found with `includes`; a cvv has
 * too few digits to be searched alone, so it counts when it stands next to a `cvv` name, and any
 * `"cvv":"NNN"` pair counts whatever its digits. Signatures of the run's gateway requests are
 * looked up among the 40-hex tokens of a text.
 */
export class SecretScanner {
  readonly hits: SecretHit[] = [];
  hitCount = 0;
  /** Per kind of source: how many texts and characters were scanned. */
  readonly scanned: Record<string, { items: number; chars: number }> = {};
  readonly #needles: Needle[];
  readonly #cvvPattern: RegExp;
  /** Only the run's own cvvs: for documentation, whose examples show a made-up one. */
  readonly #runCvvPattern: RegExp;
  readonly #signatures = new Set<string>();
  readonly #cvvs: string[];

  constructor(secrets: RunSecrets) {
    const key = Buffer.from(secrets.payloadKey, 'base64');
    this.#needles = [
      ...secrets.cards.map((value, i) => ({ label: `card_number#${i + 1}`, value })),
      ...secrets.walletPasswords.map((value, i) => ({ label: `wallet_password#${i + 1}`, value })),
      { label: 'MERCHANT_KEY', value: secrets.merchantKey },
      { label: 'SIGNATURE_SALT', value: secrets.salt },
      { label: 'PAYLOAD_KEY', value: secrets.payloadKey },
      // Without + or /, base64url is the base64 text minus its padding: one hit is enough.
      ...(secrets.payloadKey.includes(key.toString('base64url'))
        ? []
        : [{ label: 'PAYLOAD_KEY(base64url)', value: key.toString('base64url') }]),
      { label: 'PAYLOAD_KEY(hex)', value: key.toString('hex') },
      { label: 'API_KEYS', value: secrets.apiKey },
      { label: 'DASHBOARD_PASSWORD', value: secrets.dashboardPassword },
      { label: 'NOTIFY_SECRET', value: secrets.notifySecret },
      ...secrets.operatorSecrets.map((value, i) => ({ label: `operator_secret#${i + 1}`, value })),
    ];
    this.#cvvs = secrets.cvvs;
    const cvvs = secrets.cvvs.join('|');
    this.#cvvPattern = new RegExp(
      `cvv[^A-Za-z0-9]{0,8}(?:${cvvs})(?!\\d)|"cvv"\\s*:\\s*"?\\d{3,4}(?!\\d)|cvv=\\d{3,4}(?!\\d)`,
      'gi',
    );
    this.#runCvvPattern = new RegExp(`cvv[^A-Za-z0-9]{0,8}(?:${cvvs})(?!\\d)`, 'gi');
  }

  /** Signatures of gateway requests (40 hex); found in a text they count as a hit. */
  addSignatures(signatures: Iterable<string>): void {
    for (const s of signatures) this.#signatures.add(s.toLowerCase());
  }

  /**
   * Scans one text; returns the number of hits in it. `kind` groups the counts in the report. The API
   * reference (`documentation`) shows a made-up cvv in its deposit example, so there only the run's
   * own cvvs count; every other secret counts as anywhere.
   */
  scan(kind: string, source: string, text: string, opts: { documentation?: boolean } = {}): number {
    const stats = this.scanned[kind] ?? { items: 0, chars: 0 };
    this.scanned[kind] = stats;
    stats.items += 1;
    stats.chars += text.length;
    let found = 0;
    for (const needle of this.#needles) {
      let at = text.indexOf(needle.value);
      while (at >= 0) {
        found++;
        this.#record(source, needle.label, text, at, needle.value.length);
        at = text.indexOf(needle.value, at + needle.value.length);
      }
    }
    if (/cvv/i.test(text)) {
      for (const m of text.matchAll(opts.documentation ? this.#runCvvPattern : this.#cvvPattern)) {
        found++;
        this.#record(source, 'cvv', text, m.index, m[0].length);
      }
    }
    if (this.#signatures.size > 0) {
      for (const m of text.matchAll(/(?<![0-9a-fA-F])[0-9a-fA-F]{40}(?![0-9a-fA-F])/g)) {
        if (this.#signatures.has(m[0].toLowerCase())) {
          found++;
          this.#record(source, 'request_signature', text, m.index, m[0].length);
        }
      }
    }
    return found;
  }

  #record(source: string, label: string, text: string, at: number, length: number): void {
    this.hitCount++;
    if (this.hits.length >= MAX_HITS_KEPT) return;
    const before = this.#redact(text.slice(Math.max(0, at - 80), at));
    const after = this.#redact(text.slice(at + length, at + length + 80));
    this.hits.push({ source, secret: label, context: `${before}<${label}>${after}` });
  }

  /** The text with every secret of the run replaced by its name. */
  redact(text: string): string {
    return this.#redact(text);
  }

  /** The report names secrets, never shows them, also when two stand side by side. */
  #redact(text: string): string {
    let out = text;
    for (const n of this.#needles) out = out.split(n.value).join(`<${n.label}>`);
    for (const cvv of this.#cvvs) out = out.replace(new RegExp(`(?<!\\d)${cvv}(?!\\d)`, 'g'), '<cvv>');
    return out;
  }
}
