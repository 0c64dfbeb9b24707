// Roll-outs over the demo tenant `launchpad` (its hours ingested one after the other by
// `blueprint demo`, so each new version opened a roll-out and was judged hour by hour): the list
// shows each roll-out's verdict; the failed one's page shows the failing check, the interval chart
// and the hour-by-hour series, with JavaScript and without.
const { test, expect } = require('@playwright/test');
const { settle, signIn, screenshot, ADMIN } = require('./helpers');

test('a failed roll-out shows its failing check and its chart', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  const rows = page.locator('[data-testid=rollouts] tbody tr');
  await expect(rows).toHaveCount(4);
  const broken = rows.filter({ hasText: 'Shop (Android)' });
  await expect(broken.getByTestId('verdict')).toHaveText('fail');
  await expect(rows.filter({ hasText: 'Shop (iOS)' }).getByTestId('verdict')).toHaveText('pass');
  await expect(rows.filter({ hasText: 'Tiny (iOS)' }).getByTestId('verdict')).toHaveText('inconclusive');
  await screenshot(page, testInfo, 'rollouts');

  await broken.getByRole('link', { name: 'Shop (Android)' }).click();
  await expect(page).toHaveURL(/\/t\/launchpad\/rollouts\/\d+$/);
  await settle(page, testInfo);
  await expect(page.getByTestId('rollout-title')).toHaveText('Shop 3.2 (Android) against 3.1');
  const evaluation = page.getByTestId('evaluation');
  await expect(evaluation.getByTestId('verdict').first()).toHaveText('fail');
  await expect(page.getByTestId('reason')).toContainText('screen loads per session');
  const failing = page.locator('[data-testid=check].fail', { hasText: 'screen loads per session' });
  await expect(failing).toHaveCount(1);
  await expect(failing).toContainText('lies outside ±10.0 %');
  const chart = page.getByTestId('interval-chart');
  await expect(chart).toBeVisible();
  await expect(chart.locator('g.interval.fail circle').first()).toBeAttached();
  await expect(chart.locator('rect.tolerance')).toHaveCount(1);
  await expect(page.getByTestId('history')).toContainText('fail');
  await expect(page.locator('[data-testid=series] svg[data-testid=chart]').first()).toBeAttached();
  await screenshot(page, testInfo, 'rollout');
  expect(errors).toEqual([]);
});
