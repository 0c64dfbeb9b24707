// The ingestion page: an admin queues the re-ingestion of two demo hours and sees it finish
// (with JavaScript the page follows the backfill by itself; without, a reload shows progress),
// then opens one hour of the timeline.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, screenshot, ADMIN } = require('./helpers');

// `YYYY-MM-DDTHH` of the hour `back` hours before the one the demo was written in (xtask says
// when; the demo ends with the hour before it).
function hourBefore(back) {
  const writtenAt = Number(process.env.E2E_DEMO_AT_MS || Date.now());
  const at = new Date(writtenAt - back * 3600 * 1000);
  return at.toISOString().slice(0, 13);
}

test('an admin queues a re-ingestion from the page and sees it finish', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/admin/ingestion');
  await settle(page, testInfo);
  await expect(page.getByTestId('timeline')).toHaveCount(6);
  await expect(page.getByTestId('workers').locator('tbody tr')).toHaveCount(1);
  const form = page.getByTestId('backfill-form');
  await form.getByLabel('tenant').selectOption('shopwave');
  // Two hours of the demo data, which ends with the last full hour.
  const from = hourBefore(4);
  const to = hourBefore(2);
  await form.getByLabel('from', { exact: true }).fill(`${from}:00`);
  await form.getByLabel('to', { exact: true }).fill(`${to}:00`);
  await form.getByRole('button', { name: 'Queue' }).click();
  if (jsEnabled(testInfo)) {
    await expect(page.getByRole('status')).toContainText('2 hours of shopwave');
  } else {
    await expect(page).toHaveURL(/\/admin\/ingestion(\?__done=[^&]*)?$/);
  }
  const row = page
    .locator('[data-testid=backfills] tbody tr')
    .filter({ has: page.locator(`time[datetime="${from}:00:00Z"]`) })
    .filter({ has: page.locator(`time[datetime="${to}:00:00Z"]`) })
    .filter({ hasText: 'admin@e2e.test' })
    .first();
  await expect(row).toBeVisible();
  if (jsEnabled(testInfo)) {
    // The page polls while work is open.
    await expect(row).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  } else {
    await expect(async () => {
      await page.reload();
      await expect(row).toHaveAttribute('data-status', 'done', { timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
  }
  await expect(row).toContainText('2/2');
  await screenshot(page, testInfo, 'ingestion');

  // One hour of the re-ingested range, in detail.
  const cell = page.locator(
    `[data-testid=timeline][data-tenant=shopwave] a.hour-cell[title^="shopwave ${from}:00:00Z"]`,
  );
  await expect(cell).toHaveAttribute('data-state', 'ingested');
  await cell.click();
  await expect(page).toHaveURL(/hour=/);
  const detail = page.getByTestId('hour-detail');
  await expect(detail).toContainText(`shopwave ${from}:00:00Z`);
  await expect(detail.locator('tbody tr').first()).toContainText('backfill');
  await expect(detail.getByRole('button', { name: 'Ingest this hour again' })).toBeVisible();
  await screenshot(page, testInfo, 'ingestion-hour');
  expect(errors).toEqual([]);
});
