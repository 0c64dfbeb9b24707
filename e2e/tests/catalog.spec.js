// The catalog pages over the demo tenant `shopwave` (two days of demo data, ingested by the xtask).
// Without JavaScript: the pages read the same, links and forms post, and search-as-you-type
// becomes a submitted search.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, screenshot, OWNER, READER } = require('./helpers');

test('search finds an event, and its page shows the charts and keys', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, READER);
  await page.goto('/t/shopwave/events');
  await settle(page, testInfo);
  const rows = page.locator('[data-testid=events] tbody tr');
  await expect(rows).toHaveCount(50);
  await screenshot(page, testInfo, 'events');
  const search = page.getByLabel('Search events');
  if (jsEnabled(testInfo)) {
    await search.pressSequentially('legacyPromo');
    await expect(page).toHaveURL(/q=legacyPromo/);
  } else {
    await search.fill('legacyPromo');
    await search.press('Enter');
    await expect(page).toHaveURL(/q=legacyPromo/);
  }
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('link', { name: 'legacyPromoViewed' }).click();
  await expect(page).toHaveURL(/\/t\/shopwave\/events\/legacyPromoViewed$/);
  await settle(page, testInfo);
  await expect(page.getByTestId('event-name')).toHaveText('legacyPromoViewed');
  const charts = page.locator('svg[data-testid=chart]');
  await expect(charts).toHaveCount(2);
  await expect(charts.first().locator('rect').first()).toBeAttached();
  const keys = page.getByTestId('keys');
  await expect(keys).toContainText('promo_id');
  await expect(keys).toContainText('string');
  await expect(page.getByTestId('versions')).toContainText('Shopwave 3.8 (Android)');
  await screenshot(page, testInfo, 'event');
  expect(errors).toEqual([]);
});

test('an owner edits the description, and a viewer sees the change', async ({ page }, testInfo) => {
  // Each project edits its own event, so the two runs never see each other's change.
  const event = jsEnabled(testInfo) ? 'appOpened' : 'appBackgrounded';
  const description = `Sent by the app (${testInfo.project.name}, ${Date.now()})`;
  await signIn(page, OWNER);
  await page.goto(`/t/shopwave/events/${event}`);
  await settle(page, testInfo);
  await page.locator('details.edit summary').click();
  const form = page.getByTestId('edit-form');
  await form.getByLabel('Description').fill(description);
  await form.getByLabel('Tags (comma-separated)').fill('lifecycle, core');
  await form.getByRole('button', { name: 'Save' }).click();
  if (!jsEnabled(testInfo)) {
    // The form posted to the server function, which sends the browser back to the page (with
    // `__done` naming the form that worked).
    await expect(page).toHaveURL(new RegExp(`/t/shopwave/events/${event}(\\?__done=[^&]*)?$`));
  }
  await expect(page.getByTestId('description')).toHaveText(description);
  await screenshot(page, testInfo, 'event-edited');

  await page.context().clearCookies();
  await signIn(page, READER);
  await page.goto(`/t/shopwave/events/${event}`);
  await settle(page, testInfo);
  await expect(page.getByTestId('description')).toHaveText(description);
  await expect(page.getByTestId('curation')).toContainText('lifecycle');
  await expect(page.locator('details.edit')).toHaveCount(0);
  await page.goto('/t/shopwave/events?tag=lifecycle');
  await expect(page.locator('[data-testid=events] tbody tr').filter({ hasText: event })).toHaveCount(1);
});

test('the matrix shows a version that stopped sending an event', async ({ page }, testInfo) => {
  await signIn(page, READER);
  await page.goto('/t/shopwave/matrix?application=Shopwave%20(Android)');
  await settle(page, testInfo);
  const header = page.locator('[data-testid=matrix] thead th.col');
  await expect(header).toHaveText(['3.8', '3.9', '3.10']);
  const row = page.locator('[data-testid=matrix] tr[data-event=legacyPromoViewed]');
  const cells = row.locator('td');
  await expect(cells.nth(0)).not.toHaveClass(/stopped/);
  await expect(cells.nth(0)).not.toBeEmpty();
  await expect(cells.nth(1)).toHaveClass(/stopped/);
  await expect(cells.nth(2)).toHaveClass(/stopped/);
  await screenshot(page, testInfo, 'matrix');
  // The form switches to screens; without JavaScript it is a plain GET.
  await page.getByLabel('by').selectOption('screen');
  await page.getByRole('button', { name: 'Show', exact: true }).first().click();
  await expect(page).toHaveURL(/by=screen/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Events × screens');
});

test('every catalog page renders, with a screenshot for review', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, READER);
  const pages = [
    ['overview', '/t/shopwave', 'shopwave'],
    ['applications', '/t/shopwave/applications', 'Applications'],
    ['screens', '/t/shopwave/screens', 'Screens'],
    ['screen', '/t/shopwave/screens/Wishlist', 'Wishlist'],
    ['compare', '/compare?event=appOpened', 'Compare tenants'],
    ['overview-30-days', '/t/shopwave?days=30', 'shopwave'],
  ];
  for (const [name, path, heading] of pages) {
    const response = await page.goto(path);
    expect(response.status(), path).toBe(200);
    await settle(page, testInfo);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await screenshot(page, testInfo, name);
  }
  await page.goto('/t/shopwave');
  await expect(page.getByTestId('health')).toContainText('Latest hour');
  await expect(page.locator('svg[data-testid=chart] polyline')).toHaveCount(2);
  const bad = await page.goto('/t/shopwave/events?from=yesterday');
  expect(bad.status()).toBe(400);
  await expect(page.getByTestId('refusal')).toHaveText('`from` must be a day like 2026-11-20, not `yesterday`');
  const hidden = await page.goto('/t/acme');
  expect(hidden.status()).toBe(404);
  expect(errors).toEqual([]);
});
