/** The results table, for the console and for bench/RESULTS.md. */

export interface Row {
  figure: string;
  value: string;
  target: string;
  /** PASS, MISS, FAIL or '' for references and context. */
  result: string;
  /** Cores other processes used while the figure (or, for a ratio, either of its runs) was measured. */
  other: string;
  /** The command that produced the figure, when it is not the run's own (a micro-benchmark it runs). */
  command?: string;
}

export interface Meta {
  date: string;
  node: string;
  nproc: string;
  cpu: string;
  command: string;
  seconds: number;
  load: string;
}

const HEADERS = ['Figure', 'Measured', 'Target', 'Result', 'Other load', 'Command'] as const;
const cells = (row: Row, command: string) => [row.figure, row.value, row.target, row.result || '—', row.other, row.command ? `${command} → ${row.command}` : command];

export function formatConsole(rows: Row[], meta: Meta): string {
  const table = [[...HEADERS], ...rows.map((row) => cells(row, meta.command))];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((line) => [...line[i]!].length)));
  const line = (values: string[]) => values.map((value, i) => value + ' '.repeat(widths[i]! - [...value].length)).join('  ');
  return [
    `Latchkey benchmark — ${meta.date}, Node ${meta.node}, nproc ${meta.nproc} (${meta.cpu})`,
    `Command: ${meta.command}; ${meta.load}`,
    '',
    line(table[0]!),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...table.slice(1).map(line),
  ].join('\n');
}

export function formatMarkdown(rows: Row[], meta: Meta, details: string[], failures: string[], warnings: string[]): string {
  const escape = (value: string) => value.replace(/\|/g, '\\|');
  return [
    '# Benchmark results',
    '',
    `Produced by \`${meta.command}\` (bench/run.ts); every figure below comes from that one run. SPEC §7 targets are ratios to references measured in the same run.`,
    '',
    `- Date: ${meta.date}`,
    `- Node: ${meta.node}`,
    `- nproc: ${meta.nproc} (${meta.cpu})`,
    `- Command: \`${meta.command}\` (${meta.seconds.toFixed(0)} s in all)`,
    `- Load: ${meta.load}`,
    '',
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row, `\`${meta.command}\``).map(escape).join(' | ')} |`),
    '',
    '"Other load" is the CPU (in cores) that processes other than the server under test and the benchmark itself used during the measured run: this machine is shared, and a run measured beside another busy process says little.',
    '',
    ...(warnings.length ? ['## Warnings', '', ...warnings.map((w) => `- ${w}`), ''] : []),
    '## Details',
    '',
    ...details,
    '',
    '## Method',
    '',
    '- Each server is a child process, started on a free loopback port, loaded, then stopped before the next one starts; autocannon runs in the benchmark process, so the server and the load generator share the 2 cores.',
    '- Latchkey: `node packages/cli/bin/latchkey.mjs serve` with `HOST=127.0.0.1`, a fresh `LATCHKEY_DATA_DIR` (SQLite) and `LOG_LEVEL=warn`; the environment and integration come from the CLI (`env create bench`, `integrations create --env bench --name bench --preset all`). Requests are JSON `{grant_type, client_id, client_secret}`.',
    '- Baseline: a bare `node:http` server that reads the request body and returns the bytes of a Latchkey token response (same length, same Content-Type, Cache-Control and Pragma headers), loaded with the same requests.',
    '- oidc-provider: client_credentials enabled, `resourceIndicators` with a default resource whose `accessTokenFormat` is `jwt` (RS256, RSA-2048 key), one `client_secret_post` client. Its token endpoint reads only form bodies, so its requests are `application/x-www-form-urlencoded` with the same parameters (plus `scope`); everything else is identical. It mints and signs on every request; Latchkey reuses.',
    '- Minting: a second data dir whose environment has `--token-ttl-seconds 3600 --token-reuse-window-seconds 3600` (every request mints), with the integrations created in-process by `bench/setup-mint.ts`. Each request picks the next integration round-robin; one warm-up pass sends one request per integration, then the measured run. Every response is checked for status 200 only (a sanity check before the run verifies that two requests get two different RS256 tokens).',
    '- node:crypto: a child process signs a Latchkey-shaped JWT signing input with `crypto.sign(\'sha256\', input, rsa2048Key)` in a synchronous loop (one thread).',
    '- CPU use comes from /proc: the server child\'s utime+stime (every thread), this process\'s `process.cpuUsage()`, and the machine\'s task time (user, nice, system) from /proc/stat; "other" is the difference. Interrupt and softirq time (where the kernel does most loopback TCP work) is reported apart, in Details: it is mostly the run\'s own traffic.',
    '- autocannon records latency in whole milliseconds; requests/s is completed requests ÷ measured seconds. A run with any non-2xx response, socket error or timeout is marked FAIL.',
    '',
    ...(failures.length ? ['## Failures', '', ...failures.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
}
