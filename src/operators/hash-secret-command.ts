import { hashSecret } from './secret-hash.js';

/** A shorter secret is hashed with a warning: a guessable secret defeats the slow hash. */
export const MIN_SECRET_LENGTH = 12;

/**
 * `payouts hash-secret`: reads a secret on standard input (one trailing newline ignored, so both
 * `echo` and a file work) and prints its hash for an OPERATORS entry. The secret is never echoed.
 */
export async function hashSecretCommand(
  input: AsyncIterable<Buffer | string> = process.stdin,
  io = {
    out: (s: string) => process.stdout.write(`${s}\n`),
    err: (s: string) => process.stderr.write(`${s}\n`),
  },
): Promise<number> {
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') {
    io.err('payouts: no secret on standard input (e.g. printf \'%s\' "$SECRET" | payouts hash-secret)');
    return 2;
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    io.err(`payouts: warning: the secret is shorter than ${MIN_SECRET_LENGTH} characters and easy to guess`);
  }
  io.out(await hashSecret(secret));
  return 0;
}
