/** `elicit report --store FILE`: rebuilds the report of a store from its events alone. */
import { replay } from '../../store/projection.js';
import { openExistingStore, parseOptions, writeJson, type Command } from '../commandSupport.js';
import { buildReport, formatSummary } from '../report.js';

export const reportCommand: Command = {
  synopsis: 'elicit report --store FILE [--report FILE]',
  summary: 'rebuilds the report from a store alone; prints it as JSON unless --report is given',
  run,
};

async function run(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, { store: { type: 'string' }, report: { type: 'string' } });
  const store = openExistingStore(values.store as string | undefined);
  try {
    const projection = await replay(store.read());
    const report = buildReport(projection.all(), store.lastPosition());
    if (values.report === undefined) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      writeJson(values.report as string, report);
      process.stdout.write(`${formatSummary(report)}\nreport: ${values.report as string}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}
