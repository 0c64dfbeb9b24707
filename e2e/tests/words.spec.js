// Words (issue 17, item 9): tables show times relative to now with the exact UTC time on hover
// (never a raw `2026-11-26T15:00:00Z`), counts take their plural, legends say "no application"
// instead of "(none) (none) ((none))", discoveries are an unnumbered list, the audit log shows
// the fields that changed, and a failed roll-out's reason quotes the names it lists; with
// JavaScript and without.
const { test, expect } = require('@playwright/test');
const { settle, signIn, ADMIN } = require('./helpers');

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/;
const UTC_TITLE = /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC$/;
const RELATIVE = /^(just now|\d+ minutes? ago|\d+ hours? ago|in \d+ (minutes?|hours?)|(today|yesterday|tomorrow) \d\d:\d\d|\d{1,2} [A-Z][a-z]{2}( \d\d:\d\d| \d{4}))$/;

test('tables read times relative to now, with the exact UTC time on hover', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  const report = await page.locator('[data-testid=rollouts] tbody tr a').first().getAttribute('href');
  const pages = ['/', '/t/shopwave/events', '/t/shopwave/events/appOpened', '/t/shopwave/screens',
    '/t/shopwave/applications', '/t/shopwave/incidents', '/t/launchpad/rollouts', report,
    '/admin/ingestion', '/admin/audit', '/admin/tokens', '/inbox', '/watches'];
  let times = 0;
  for (const path of pages) {
    await page.goto(path);
    await settle(page, testInfo);
    const cells = await page.locator('td, th, dd').allInnerTexts();
    expect(cells.filter((text) => ISO.test(text)), path).toEqual([]);
    for (const time of await page.locator('td time').all()) {
      await expect(time).toHaveAttribute('title', UTC_TITLE);
      expect((await time.innerText()).trim(), path).toMatch(RELATIVE);
      times += 1;
    }
  }
  expect(times).toBeGreaterThan(20);
  // The events list's last-seen column: the demo's data ends with the hour before it was written.
  await page.goto('/t/shopwave/events');
  await settle(page, testInfo);
  const lastSeen = page.locator('[data-testid=events] tbody tr').first().locator('time').last();
  await expect(lastSeen).toHaveAttribute('datetime', ISO);
  await expect(lastSeen).toHaveAttribute('title', UTC_TITLE);
  expect(errors).toEqual([]);
});

test('counts take their plural, legends leave out what is unknown, discoveries are a plain list', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/t/shopwave?days=30');
  await settle(page, testInfo);
  const counts = (await page.getByTestId('new').locator('p.small').innerText()).split(' · ');
  expect(counts.length).toBeGreaterThan(2);
  for (const part of counts) {
    expect(part).not.toContain('_');
    expect(part).toMatch(/^(1 [a-z ]*[^s]|\d+ [a-z ]+s)$/);
  }
  expect(counts.join(' · ')).toMatch(/\d+ combinations/);

  // A back-end event, sent without application, platform or version.
  await page.goto('/t/shopwave/events/orderShipped');
  await settle(page, testInfo);
  const legends = page.locator('.legend');
  await expect(legends.first()).toContainText('no application');
  for (const text of await legends.allInnerTexts()) {
    expect(text).not.toContain('(none)');
  }
  const discoveries = page.getByTestId('timeline').locator('ul.discoveries > li');
  expect(await discoveries.count()).toBeGreaterThan(0);
  expect(await page.getByTestId('timeline').locator('ol').count()).toBe(0);
  const listStyle = await discoveries.first().evaluate((li) => getComputedStyle(li).listStyleType);
  expect(listStyle).toBe('none');
  const cut = await discoveries.evaluateAll((items) => items.filter((li) => li.scrollWidth > li.clientWidth + 1).length);
  expect(cut).toBe(0);
  expect(errors).toEqual([]);
});

test('the audit log shows the fields that changed, and a failed roll-out quotes the names it lists', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/admin/audit?action=user.create');
  await settle(page, testInfo);
  const row = page.locator('[data-testid=audit] tbody tr').filter({ hasText: 'user admin@e2e.test' });
  const changes = row.getByTestId('changes');
  await expect(changes.locator('li').filter({ hasText: /^email: none → admin@e2e\.test$/ })).toHaveCount(1);
  for (const text of await page.locator('[data-testid=audit] td').allInnerTexts()) {
    expect(text.trim().startsWith('{')).toBe(false);
  }

  // The demo's Travel (Web) candidate stopped sending `share`.
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  const travel = page.locator('[data-testid=rollouts] tbody tr').filter({ hasText: 'Travel' });
  await expect(travel.getByTestId('rollout-reason')).toContainText('“share” (expected about ');
  await travel.getByRole('link').first().click();
  await settle(page, testInfo);
  await expect(page.getByTestId('reason')).toContainText('events the baseline sends: “share” (expected about ');
  expect(errors).toEqual([]);
});
