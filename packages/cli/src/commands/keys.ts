import { parse } from '../args.ts';
import { printJson, printLines, UsageError } from '../output.ts';
import { withContext } from '../with-context.ts';

/** `latchkey keys rotate [--emergency]` */
export async function keysCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parse(rest, { emergency: { type: 'boolean' } });
  if (action !== 'rotate') throw new UsageError('usage: latchkey keys rotate [--emergency]');
  await withContext(async ({ signingKeys }) => {
    const result = await signingKeys.rotate({ emergency: values.emergency === true });
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
