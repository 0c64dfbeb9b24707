// Failures pushed to the pages people open (issue 17, item 10): on the demo tenant `launchpad`
// the failing roll-outs come first on the roll-outs list with their reason, and the tenant's
// overview and the failing application's card show them with a link to the report; a passing
// application's card shows none. With JavaScript and without.
const { test, expect } = require('@playwright/test');
const { settle, signIn, widthShots, ADMIN } = require('./helpers');

test('a failing roll-out is listed first, and shown on the overview and its application', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  const verdicts = await page.locator('[data-testid=rollouts] tbody tr [data-testid=verdict]').allInnerTexts();
  const failing = verdicts.filter((v) => v === 'fail').length;
  expect(failing).toBeGreaterThan(0);
  expect(verdicts.slice(0, failing)).toEqual(Array(failing).fill('fail'));
  const rows = page.locator('[data-testid=rollouts] tbody tr');
  await expect(rows.first().getByTestId('rollout-reason')).not.toBeEmpty();
  await expect(rows.nth(failing).getByTestId('rollout-reason')).toHaveCount(0);
  const android = rows.filter({ hasText: 'Shop (Android)' });
  await expect(android.getByTestId('rollout-reason')).toContainText('screen loads per session');

  await page.goto('/t/launchpad');
  await settle(page, testInfo);
  const card = page.getByTestId('failing-rollouts');
  await expect(card).toBeVisible();
  await expect(card.getByTestId('failing-rollout')).toHaveCount(failing);
  const shop = card.getByTestId('failing-rollout').filter({ hasText: 'Shop 3.2 (Android) against 3.1' });
  await expect(shop).toContainText('screen loads per session');
  await widthShots(page, testInfo, 'overview-failing');
  await shop.getByRole('link').click();
  await expect(page).toHaveURL(/\/t\/launchpad\/rollouts\/\d+$/);
  await settle(page, testInfo);
  await expect(page.getByTestId('rollout-title')).toHaveText('Shop 3.2 (Android) against 3.1');

  await page.goto('/t/launchpad/applications');
  await settle(page, testInfo);
  const card_of = (name, platform) => page.getByTestId('application')
    .filter({ has: page.locator('h2', { hasText: new RegExp(`^${name}\\s+${platform}$`) }) });
  const shopAndroid = card_of('Shop', 'Android');
  await expect(shopAndroid).toHaveCount(1);
  await expect(shopAndroid.getByTestId('failing-rollout')).toHaveCount(1);
  await expect(shopAndroid.getByTestId('failing-rollout')).toContainText('screen loads per session');
  await expect(card_of('Shop', 'iOS').getByTestId('failing-rollouts')).toHaveCount(0);
  expect(errors).toEqual([]);
});
