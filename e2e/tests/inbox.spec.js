// Watches and the inbox: a user watches an event (with the event page's button, or without
// JavaScript through the watches page's form), the next ingestion brings news of it (a key the
// event never had), and the inbox shows it with the unread count in the header. Each project uses
// its own tenant: the second would otherwise find the hour already ingested, and its key no news.
const fs = require('fs');
const path = require('path');
const { test, expect, request } = require('@playwright/test');
const { jsEnabled, settle, signIn, screenshot, ADMIN, READER } = require('./helpers');

test('a user watches an event, the next ingestion brings news, the inbox shows it', async ({ page }, testInfo) => {
  const js = jsEnabled(testInfo);
  const who = js ? READER : ADMIN;
  const tenant = js ? 'shopwave' : 'travelnest';
  const app = js
    ? { name: 'Shopwave', version: '3.10', os: 'Android' }
    : { name: 'Travelnest', version: '5.3', os: 'iOS' };
  const key = `e2e_coupon_${testInfo.project.name.replace('-', '_')}`;

  await signIn(page, who);
  if (js) {
    // From the event's page, in one click.
    await page.goto(`/t/${tenant}/events/appOpened`);
    await settle(page, testInfo);
    await page.getByTestId('watch-button').getByRole('button', { name: 'Watch this event' }).click();
    await expect(page.getByTestId('watch-button').getByRole('status')).toContainText('Watching');
    await page.goto('/watches');
  } else {
    // From the watches page's form.
    await page.goto('/watches');
    await settle(page, testInfo);
    const form = page.getByTestId('watch-form');
    await form.getByLabel('tenant').selectOption(tenant);
    await form.getByLabel('what').selectOption('event');
    await form.getByLabel('name', { exact: true }).fill('appOpened');
    await form.getByRole('button', { name: 'Watch' }).click();
  }
  await expect(page.getByTestId('watches')).toContainText('event appOpened');

  // New raw events in the current hour: appOpened with a key it never had.
  const now = new Date();
  const hour = now.toISOString().slice(0, 13);
  const next = new Date(now.getTime() + 3600 * 1000).toISOString().slice(0, 13);
  const dir = path.join(process.env.STORAGE_DIR, 'events', tenant, `dt=${hour.slice(0, 10)}`, `hr=${hour.slice(11, 13)}`);
  fs.mkdirSync(dir, { recursive: true });
  const line = {
    type: 'track',
    event: 'appOpened',
    context: { app: { name: app.name, version: app.version }, os: { name: app.os }, sessionId: `e2e-${key}` },
    properties: { [key]: 'SPRING' },
  };
  fs.writeFileSync(path.join(dir, `e2e-${key}.jsonl`), `${JSON.stringify(line)}\n`);

  // The next ingestion: an admin queues the hour through the API, and a worker runs it.
  // A signed-in script posts with the site's Origin, as the page would (cross-site posts are refused).
  const base = testInfo.project.use.baseURL;
  const api = await request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base } });
  expect((await api.post('/api/v1/session', { data: ADMIN })).status()).toBe(200);
  const queued = await api.post(`/api/v1/tenants/${tenant}/backfills`, { data: { from: hour, to: next } });
  expect(queued.status()).toBe(202);
  const { id } = await queued.json();
  await expect
    .poll(async () => (await (await api.get(`/api/v1/backfills/${id}`)).json()).status, { timeout: 60_000 })
    .toBe('done');
  await api.dispose();

  await page.goto('/inbox');
  await settle(page, testInfo);
  const inbox = page.getByTestId('inbox');
  await expect(inbox).toContainText(`New key: appOpened: ${key}`);
  // The new key's type is part of the key's one notice.
  await expect(inbox).not.toContainText(`New key type: appOpened: ${key} is string`);
  await expect(page.getByTestId('unread')).toBeVisible();
  await screenshot(page, testInfo, 'inbox');
  await inbox.locator('tr', { hasText: `New key: appOpened: ${key}` }).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/t/${tenant}/events/appOpened$`));
});
