import { execa } from 'execa';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'junit2json';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { chromium } from 'playwright-core';
import type { RunRecord } from '../../src/record/run-record.js';
import { runsDir } from '../../src/record/recorder.js';

/** Where the e2e tier leaves what it renders (not committed): screenshots and reports. */
export const OUTPUT_DIR = resolve('test-output/e2e');

/**
 * A real run's record through `kdrill report` (the CLI) into JUnit, JSON and
 * HTML; the JUnit read by a JUnit parser, the JSON checked by a JSON Schema
 * validator against the schema the package ships, the HTML opened in Debian's
 * Chromium (headless) with its console watched and a screenshot taken.
 */
export async function renderViews(r: RunRecord) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const base = join(OUTPUT_DIR, r.scenario.id);
  const rec = join(runsDir(), `${r.runId}.jsonl`);
  const out = await execa('node', ['dist/src/cli.js', 'report', rec, '--junit', `${base}.xml`, '--json', `${base}.json`, '--html', `${base}.html`], { reject: false, all: true });
  if (out.exitCode !== 0 && out.exitCode !== 1) throw new Error(`kdrill report exited ${out.exitCode}: ${out.all}`);
  const junit = (await parse(readFileSync(`${base}.xml`, 'utf8'))) as { tests?: number; failures?: number; errors?: number };
  const ajv = new Ajv.default({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync('schema/run.v1.json', 'utf8')) as object);
  validate(JSON.parse(readFileSync(`${base}.json`, 'utf8')));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`file://${base}.html`);
    const html = {
      consoleErrors,
      marks: await page.locator('svg.timeline circle[r="9"]').count(),
      rows: await page.locator('svg.timeline polyline').count() + (await page.locator('svg.timeline text[text-anchor="end"]').count()) / 2,
      faultBand: (await page.locator('svg.timeline rect[fill="#ff818233"]').count()) === 1,
    };
    await page.screenshot({ path: `${base}.png`, fullPage: true });
    return { junit: { tests: junit.tests ?? 0, failures: junit.failures ?? 0, errors: junit.errors ?? 0 }, schemaErrors: validate.errors ?? [], html, screenshot: `${base}.png` };
  } finally {
    await browser.close();
  }
}
