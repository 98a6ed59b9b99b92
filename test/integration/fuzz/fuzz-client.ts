import http from 'node:http';

/**
 * The fuzz suite's HTTP client: one keep-alive agent that can send anything (no content type, raw
 * bytes, chunked bodies) and reads every answer whole.
 */

export interface Sent {
  path: string;
  headers: Record<string, string>;
  /** Absent: a request without a body. */
  body?: string | Buffer;
  /** Send the body in pieces without a Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

export interface Client {
  send(req: Sent): Promise<Answer>;
  close(): void;
}

/** A client over one keep-alive agent; at most `sockets` requests are in flight. */
export function createClient(base: string, sockets = 16, timeoutMs = 20_000): Client {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    send(req) {
      return new Promise<Answer>((resolve, reject) => {
        const r = http.request(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: req.path,
            agent,
            headers: req.headers,
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                contentType: String(res.headers['content-type'] ?? ''),
                text: Buffer.concat(chunks).toString('utf8'),
              }),
            );
          },
        );
        r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        r.on('error', reject);
        const body = req.body;
        if (body === undefined) {
          r.end();
        } else if (req.chunked && body.length > 1) {
          const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
          const third = Math.ceil(buf.length / 3);
          r.write(buf.subarray(0, third));
          r.write(buf.subarray(third, 2 * third));
          r.end(buf.subarray(2 * third));
        } else {
          r.end(body);
        }
      });
    },
    close: () => agent.destroy(),
  };
}

export const bytesOf = (body: string | Buffer | undefined) =>
  body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : Buffer.byteLength(body, 'utf8');
