import { SIGNING_ALGS, type SigningAlg } from '@latchkey/server';
import { parse } from '../args.ts';
import { printJson, printLines, UsageError } from '../output.ts';
import { withServices } from '../with-services.ts';

/** `latchkey keys rotate [--emergency] [--alg A]`: keeps the current algorithm unless --alg names another. */
export async function keysCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parse(rest, { emergency: { type: 'boolean' }, alg: { type: 'string' } });
  if (action !== 'rotate') throw new UsageError('usage: latchkey keys rotate [--emergency] [--alg RS256|ES256|EdDSA]');
  const alg = values.alg as SigningAlg | undefined;
  if (alg !== undefined && !SIGNING_ALGS.includes(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  await withServices(async ({ signingKeys }) => {
    const result = await signingKeys.rotate({ emergency: values.emergency === true, ...(alg ? { alg } : {}) });
    if (values.json) return printJson(result);
    printLines([
      `New ${result.alg} signing key ${result.kid}: published now, signs from ${result.activatesAt}.`,
      ...result.retired.map((key) =>
        key.revoked
          ? `Key ${key.kid} revoked: every token it signed is refused from now on.`
          : `Key ${key.kid} signs until ${key.retiresAt} and stays published until ${key.unpublishAt}.`,
      ),
    ]);
  });
}
