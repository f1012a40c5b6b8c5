/** `elicit events --store FILE`: prints the stored events, one JSON object a line. */
import { openExistingStore, parseOptions, type Command } from '../commandSupport.js';

export const eventsCommand: Command = {
  synopsis: 'elicit events --store FILE',
  summary: 'prints the stored events, one JSON object a line, in position order',
  run,
};

async function run(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, { store: { type: 'string' } });
  const store = openExistingStore(values.store as string | undefined);
  try {
    for (const event of store.read()) {
      if (!process.stdout.write(`${JSON.stringify(event)}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return 0;
  } finally {
    store.close();
  }
}
