import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpGetText } from '../../src/util/http-get.js';

// A peer frozen mid-answer (an etcd member paused by docker after sending its headers) must not hang a scrape.
describe('a GET with a deadline', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return void res.end('etcd_server_has_leader 1\n');
      if (req.url === '/missing') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('etcd_server_has_leader 1\n'); // headers and a first chunk, then nothing more: frozen
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('returns the body, and an HTTP error as an error', async () => {
    expect(await httpGetText(`${base}/ok`, 1000)).to.equal('etcd_server_has_leader 1\n');
    const err = await httpGetText(`${base}/missing`, 1000).then(() => undefined, (e: Error) => e.message);
    expect(err).to.match(/HTTP 404/);
  });

  it('rejects at its deadline when the peer stops in the middle of the body', async () => {
    const t0 = Date.now();
    const err = await httpGetText(`${base}/frozen`, 300).then(() => undefined, (e: Error) => e.message);
    expect(err).to.match(/no complete answer within 300 ms/);
    expect(Date.now() - t0).to.be.within(250, 2000);
  });
});
