// Runs the crash-recovery test with more kills: node scripts/test-crash.mjs --kills N
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '6' } } });
const kills = Number(values.kills);
if (!Number.isInteger(kills) || kills < 1) {
  console.error(`--kills must be a whole number of 1 or more, not ${values.kills}`);
  process.exit(2);
}

const result = spawnSync('npx', ['vitest', 'run', 'test/crash'], { stdio: 'inherit', env: { ...process.env, CRASH_KILLS: String(kills) } });
process.exit(result.status ?? 1);
