// The app shell and the tenants page: rendered on the server, hydrated in the browser. Six tenants:
// the three folders the xtask writes, and the demo's shopwave, travelnest and launchpad.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, ADMIN } = require('./helpers');

test.beforeEach(async ({ page }) => {
  await signIn(page, ADMIN);
});

test('the tenants page lists the tenant folders of the events root', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const response = await page.goto('/');
  expect(response.status()).toBe(200);
  await settle(page, testInfo);
  await expect(page).toHaveTitle('Tenants · Blueprint');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tenants');
  const rows = page.locator('[data-testid=tenants] tbody tr');
  await expect(rows).toHaveCount(6);
  await expect(rows.first()).toContainText('acme');
  await expect(page.locator('footer')).toContainText(/Blueprint \d+\.\d+\.\d+/);
  await expect(page.getByRole('link', { name: 'Tenants' })).toHaveAttribute('aria-current', 'page');
  expect(errors).toEqual([]);
});

test('the filter narrows the tenants, as you type or by submitting the form', async ({ page }, testInfo) => {
  await page.goto('/');
  await settle(page, testInfo);
  const filter = page.getByLabel('Filter tenants');
  const rows = page.locator('[data-testid=tenants] tbody tr');
  if (jsEnabled(testInfo)) {
    await filter.pressSequentially('glo');
    await expect(rows).toHaveCount(1);
    await expect(page).toHaveURL(/\?q=glo$/);
  } else {
    await filter.fill('glo');
    await filter.press('Enter');
    await expect(page).toHaveURL(/\?q=glo$/);
    await expect(rows).toHaveCount(1);
  }
  await expect(rows.first()).toContainText('globex');
  await filter.fill('');
  await filter.press('Enter');
  await expect(page.locator('[data-testid=tenants] tbody tr')).toHaveCount(6);
});

test('an unknown address shows the not-found page with status 404', async ({ page }, testInfo) => {
  const response = await page.goto('/no/such/page');
  expect(response.status()).toBe(404);
  await settle(page, testInfo);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.getByRole('link', { name: 'Back to the tenants' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tenants');
});
