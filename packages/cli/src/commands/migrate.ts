import { parse } from '../args.ts';
import { printJson, printLines } from '../output.ts';
import { withServices } from '../with-services.ts';

/** `latchkey migrate`: the same migrations `serve` runs at start, under the same lock. */
export async function migrateCommand(args: string[]): Promise<void> {
  const { values } = parse(args, {});
  await withServices(async ({ database }) => {
    const applied = await database.db.selectFrom('latchkey_migrations').select(['name', 'applied_at']).orderBy('name').execute();
    if (values.json) return printJson({ dialect: database.dialect, migrations: applied.map((row) => row.name) });
    printLines([`Database (${database.dialect}) is up to date: ${applied.map((row) => row.name).join(', ')}`]);
  });
}
