// A port nothing on this machine listens on right now (the system picks it), for a server a test
// or a bench starts as a child process: a random port in a range may be taken (epmd sits on 4369).
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
