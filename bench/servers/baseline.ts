/**
 * The reference: a bare node:http server that reads the request body and answers with fixed
 * bytes, the same size and headers as Latchkey's token response (given in BENCH_BODY).
 *
 * Env: PORT, HOST, BENCH_BODY.
 */
import http from 'node:http';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const body = Buffer.from(process.env.BENCH_BODY ?? '{}');
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(body.length),
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

const server = http.createServer((request, response) => {
  let received = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    received += chunk;
  });
  request.on('end', () => {
    if (received.length === 0 && request.method === 'POST') response.writeHead(400).end();
    else response.writeHead(200, headers).end(body);
  });
});
// Same keep-alive timeout as Fastify's default, so neither side closes idle connections early.
server.keepAliveTimeout = 72_000;
server.listen(port, host, () => console.log(`baseline listening on ${host}:${port}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
