import { get } from 'node:http';

/**
 * GET over plain HTTP, settled by its deadline whatever the peer does. Not
 * fetch: a fetch aborted while its body is being read can stay pending forever
 * (nodejs/node#56917) — a frozen etcd member that sent its headers and then
 * stopped did exactly that here, and hung the scrape loop that awaited it.
 */
export function httpGetText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | undefined, text?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(text!);
    };
    const timer = setTimeout(() => settle(new Error(`GET ${url}: no complete answer within ${timeoutMs} ms`)), timeoutMs);
    const req = get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => settle(e));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) settle(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        else settle(undefined, Buffer.concat(chunks).toString('utf8'));
      });
    });
    req.on('error', (e) => settle(e));
  });
}
