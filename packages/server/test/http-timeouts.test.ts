// Slow clients are cut on time (issue 12): Node checks its header timeout only every
// connectionsCheckingInterval (30 s by default), which let a 20 s timeout fire at 30–60 s. These
// run against a real server and take real time (about 30 s, in parallel with the other files).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TOKEN_BODY_TIMEOUT_MS } from '../src/modules/tokens/token-endpoint.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { processEnv, startServer, type RunningServer } from './helpers/processes.ts';

const HEADERS_TIMEOUT_MS = 20_000;

/** Writes `bytes`, then waits for the server to answer and close; returns what came and when. */
function slowClient(port: number, bytes: string, giveUpMs: number): Promise<{ text: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedAfterMs: null });
    }, giveUpMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow clients are cut on time', () => {
  let database: TestDatabase;
  let server: RunningServer;
  before(async () => {
    database = await createTestDatabase('sqlite');
    server = await startServer(processEnv(database));
  });
  after(async () => {
    await server.stop();
    await database.drop();
  });

  it('closes a connection whose headers do not arrive within 20 s (checked every second, not every 30)', async () => {
    const { closedAfterMs, text } = await slowClient(server.port, 'POST /oauth/token HTTP/1.1\r\nHost: x\r\n', HEADERS_TIMEOUT_MS + 10_000);
    assert.ok(closedAfterMs !== null, 'closed');
    assert.ok(closedAfterMs >= HEADERS_TIMEOUT_MS - 500 && closedAfterMs < HEADERS_TIMEOUT_MS + 3_000, `closed after ${closedAfterMs} ms`);
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.match(text, /cache-control: no-store/i);
  });

  it('answers 408 to a token request whose body does not arrive within 30 s', async () => {
    const { closedAfterMs, text } = await slowClient(
      server.port,
      'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"grant_type":',
      TOKEN_BODY_TIMEOUT_MS + 10_000,
    );
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.match(text, /cache-control: no-store/i);
    assert.ok(closedAfterMs !== null && closedAfterMs < TOKEN_BODY_TIMEOUT_MS + 4_000, `closed after ${closedAfterMs} ms`);
  });
});
