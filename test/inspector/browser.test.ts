/**
 * The inspector page in a real browser: Debian's Chromium driven by playwright-core. A
 * scenario runs into a store, `elicit inspect` serves it, and the page must show the counts
 * on the statechart, one elicitation's history, and a second `elicit run` on the same
 * store as it happens. Mermaid's own parser reads the generated diagram in the page. The
 * test saves a screenshot; with ELICIT_UPDATE_SCREENSHOT=1 it replaces the one the README
 * shows, docs/inspector.png, and otherwise it writes to a temporary folder, so a test run
 * leaves the work tree as it was.
 *
 * Chromium is never downloaded: without /usr/bin/chromium this file is skipped, except in
 * CI (CI set), where it fails, because `.ci/run` installs chromium through apt.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiagram } from '../../src/inspector/diagram/renderDiagram.js';
import { createWorkDir, elicit, elicitBin, removeWorkDirs, requireBuiltCli } from '../cli/elicitCli.js';
import { listeningAddresses, loopbackHex } from './listeningAddresses.js';

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const demoScenario = fileURLToPath(new URL('./fixtures/inspector-demo.jsonl', import.meta.url));
const liveScenario = fileURLToPath(new URL('./fixtures/inspector-live.jsonl', import.meta.url));
const screenshotPath =
  process.env.ELICIT_UPDATE_SCREENSHOT === '1'
    ? fileURLToPath(new URL('../../docs/inspector.png', import.meta.url))
    : join(mkdtempSync(join(tmpdir(), 'elicit-screenshot-')), 'inspector.png');

const hasChromium = existsSync(chromiumPath);

/** Starts `elicit inspect` on `storePath` and resolves with the URL it prints. */
function startInspect(storePath: string, workDir: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [elicitBin, 'inspect', '--store', storePath, '--port', '0'], { cwd: workDir });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`elicit inspect printed no URL within 10 s; stdout: ${stdout}; stderr: ${stderr}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)?.[0];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`elicit inspect exited with ${String(code)} before serving: ${stderr}`)));
  });
}

/** Stops `elicit inspect` with SIGINT and returns its exit code and standard error. */
function stopInspect(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
    child.kill('SIGINT');
  });
}

async function stateCounts(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-state-count]', (elements) => Object.fromEntries(elements.map((element) => [element.getAttribute('data-state-count')!, element.textContent ?? ''])));
}

async function badgeCounts(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-state-badge]', (elements) => Object.fromEntries(elements.map((element) => [element.getAttribute('data-state-badge')!, element.textContent ?? ''])));
}

describe.skipIf(!hasChromium && process.env.CI === undefined)('inspector page in Chromium', () => {
  let workDir: string;
  let storePath: string;
  let inspect: { child: ChildProcessWithoutNullStreams; url: string };
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireBuiltCli();
    if (!hasChromium) throw new Error(`${chromiumPath} is missing; install Debian's chromium (apt-get install chromium), as .ci/run does`);

    workDir = createWorkDir();
    storePath = join(workDir, 'inspected.db');
    const run = elicit(['run', demoScenario, '--store', storePath], workDir);
    if (run.status !== 0) throw new Error(`elicit run failed: ${run.stderr}`);
    // A path relative to the working folder, so the page (and the screenshot) names the store briefly.
    inspect = await startInspect('inspected.db', workDir);

    userDataDir = mkdtempSync(join(tmpdir(), 'elicit-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(inspect.url);
    await page.waitForSelector('body[data-chart-ready="true"]', { timeout: 15_000 });
  });

  afterAll(async () => {
    await context?.close();
    if (inspect !== undefined && inspect.child.exitCode === null) await stopInspect(inspect.child);
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    removeWorkDirs();
  });

  it('serves from 127.0.0.1 only', () => {
    const port = Number(new URL(inspect.url).port);
    const listening = listeningAddresses(port);
    if (listening !== undefined) expect(listening).toEqual([loopbackHex]);
  });

  it("parses the Mermaid diagram with Mermaid's parser", async () => {
    const parse = (text: string) =>
      page.evaluate(async (source) => {
        try {
          const { mermaid } = globalThis as unknown as { mermaid: { parse(text: string): Promise<{ diagramType: string }> } };
          const parsed = await mermaid.parse(source);
          return parsed.diagramType;
        } catch (error) {
          return `error: ${(error as Error).message}`;
        }
      }, text);

    expect(await parse(renderDiagram('mermaid'))).toBe('stateDiagram');
    expect(await parse('stateDiagram-v2\n  pending -->')).toMatch(/^error: Parse error/);
  });

  it('draws the statechart with the count of each state', async () => {
    expect(await page.locator('#chart svg').count()).toBe(1);
    expect(await stateCounts(page)).toEqual({ pending: '1', answered: '1', rejected: '3', expired: '1' });
    expect(await badgeCounts(page)).toEqual({ pending: '1', answered: '1', rejected: '3', expired: '1' });
    expect(await page.locator('#chart svg').textContent()).toContain('ACCEPT (1) [not isSender] / refuse(UNAUTHORIZED)');
  });

  it('shows refusals by code and by agent', async () => {
    const byCode = await page.$$eval('#refusals-by-code tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(byCode).toEqual([
      ['RATE_LIMITED', '1'],
      ['UNAUTHORIZED', '3'],
    ]);
    const byAgent = await page.$$eval('#refusals-by-agent tbody tr', (rows) => rows.map((row) => row.getAttribute('data-refusal-agent')));
    expect(byAgent).toEqual(['intruder', 'oncall', 'triage-bot']);
  });

  it("opens one elicitation's history from a search by ref", async () => {
    await page.fill('#search-input', 'deploy-42');
    await page.click('#search-form button');
    await page.waitForSelector('#history:not(.hidden)');

    expect(await page.textContent('#history-title')).toContain('deploy-42');
    expect(await page.getAttribute('[data-history-state]', 'data-history-state')).toBe('answered');
    const rows = await page.$$eval('#history-events tbody tr', (elements) => elements.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(rows.map((cells) => [cells[2], cells[3]])).toEqual([
      ['elicitation.requested', 'planner'],
      ['security.refused', 'intruder'],
      ['elicitation.answered', 'reviewer'],
    ]);
    expect(rows.map((cells) => cells[1])).toEqual(['2026-01-01 00:00:00.000', '2026-01-01 00:00:00.500', '2026-01-01 00:00:01.000']);
    expect(await page.locator('#history-events tr.refused').count()).toBe(1);
  });

  it('follows a concurrent run live, and holds the timeline while paused', async () => {
    const rowsBefore = await page.locator('#timeline tbody tr').count();
    await page.click('#pause');
    expect(await page.textContent('#connection')).toBe('paused');

    const run = elicit(['run', liveScenario, '--store', storePath], workDir);
    expect(run.status).toBe(0);

    // The counts stay live while the timeline is paused.
    await expect.poll(() => stateCounts(page), { timeout: 10_000 }).toEqual({ pending: '1', answered: '2', rejected: '4', expired: '1' });
    expect(await badgeCounts(page)).toEqual({ pending: '1', answered: '2', rejected: '4', expired: '1' });
    await expect.poll(() => page.textContent('#timeline-status'), { timeout: 5_000 }).toContain('5 new events wait');
    expect(await page.locator('#timeline tbody tr').count()).toBe(rowsBefore);

    await page.click('#pause');
    expect(await page.locator('#timeline tbody tr').count()).toBe(rowsBefore + 5);
    const newest = await page.$$eval('#timeline tbody tr:first-child td', (cells) => cells.map((cell) => cell.textContent));
    expect(newest).toEqual(['20', '2026-01-01 00:00:30.200', 'elicitation.rejected', 'deploy-44', 'reviewer declined']);
  });

  it('shows the history of an elicitation settled by the concurrent run', async () => {
    await page.fill('#search-input', 'hotfix-9');
    await page.click('#search-form button');
    await expect.poll(() => page.textContent('#history-title')).toContain('hotfix-9');
    expect(await page.getAttribute('[data-history-state]', 'data-history-state')).toBe('answered');

    const types = await page.$$eval('#history-events tbody tr', (rows) => rows.map((row) => row.getAttribute('data-event-type')));
    expect(types).toEqual(['elicitation.requested', 'security.refused', 'security.refused', 'elicitation.answered']);
    expect(pageErrors).toEqual([]);

    mkdirSync(join(screenshotPath, '..'), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(statSync(screenshotPath).size).toBeGreaterThan(10_000);
  });

  it('stops on SIGINT with exit code 0', async () => {
    const stopped = await stopInspect(inspect.child);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('SIGINT received; stopping the inspector');
  });
});
