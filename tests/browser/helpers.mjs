// Shared setup for the browser tests: one `crm serve` and one Chromium per test file.
// Chromium is Debian's (/usr/bin/chromium); playwright-core never downloads a browser.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api } from '../lib/server.mjs';

export { api };

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/**
 * Starts the server (serverOpts go to startServer: extra flags in args) and the browser. Returns {srv, context, newPage(viewport?), close()}.
 * The browser context is persistent on a fresh user data dir; each test gets new pages and
 * clears cookies so that it starts signed out.
 */
export async function setup(serverOpts = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const srv = await startServer(serverOpts);
  const profile = mkdtempSync(join(tmpdir(), 'crm-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: LAPTOP,
      locale: 'en-US',
      timezoneId: 'UTC',
      baseURL: srv.url,
    });
  } catch (e) {
    await srv.stop();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(10000);
  const pageErrors = [];
  return {
    srv,
    context,
    pageErrors,
    async newPage(viewport = LAPTOP) {
      await context.clearCookies();
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on('pageerror', (e) => pageErrors.push(e));
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      await srv.stop();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A second, separate browser (its own cookies and storage) on the same server: another person
 * signed in at the same time. Returns {context, newPage(), close()}.
 */
export async function otherBrowser(srv) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const context = await browser.newContext({ viewport: LAPTOP, locale: 'en-US', timezoneId: 'UTC', baseURL: srv.url });
  context.setDefaultTimeout(10000);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

/** Runs a test body with a page and always leaves a screenshot named NAME.png. */
export async function withPage(env, name, fn, viewport = LAPTOP) {
  const page = await env.newPage(viewport);
  try {
    await fn(page);
  } finally {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false }).catch(() => {});
    await page.close().catch(() => {});
  }
}

/** Signs in through the form (Enter in the password field submits) and waits for the app. */
export async function signIn(page, srv, { email = srv.adminEmail, password = srv.adminPassword, hash = '#/contacts' } = {}) {
  await page.goto(`/${hash}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}

/** Creates a record through the API with the admin token; returns the body. */
export async function create(srv, entity, body) {
  const r = await api(srv, 'POST', `/api/v1/${entity}`, body);
  if (r.status !== 201) throw new Error(`POST ${entity} → ${r.status} ${r.text}`);
  return r.body;
}

/** Waits until the list table has exactly n rows. */
export async function rowCount(page, n) {
  await page.waitForFunction((k) => document.querySelectorAll('table.data-table tbody tr').length === k, n);
}

/** Waits until the first row of the list table contains `text`. */
export async function firstRowHas(page, text) {
  await page.waitForFunction(
    (s) => document.querySelector('table.data-table tbody tr td')?.textContent.includes(s),
    text,
  );
}

/** The id in the page's hash route, e.g. #/contacts/12 → 12. */
export function idFromUrl(page, entity) {
  const m = new RegExp(`#/${entity}/(\\d+)`).exec(page.url());
  return m ? Number(m[1]) : null;
}

// The process editor's canvas (tests/browser/process_*.test.mjs).

/** Drags with the mouse from the centre of one element to the centre of another, in steps. */
export async function dragBetween(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + b.width / 4, (a.y + b.y) / 2 + b.height / 4, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** A step's box and one of its output handles on the canvas. */
export const box = (page, id) => page.locator(`[data-step="${id}"] .pe-box`);
export const handle = (page, id, output) => page.locator(`[data-output="${id}:${output}"]`);
