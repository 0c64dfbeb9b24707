// Roll-outs over the demo tenant `launchpad` (its hours ingested one after the other by
// `blueprint demo`, so each new version opened a roll-out and was judged hour by hour): the list
// shows each roll-out's verdict; the failed one's page shows the failing check, the interval chart
// and the hour-by-hour series, with JavaScript and without. An interval beyond the chart's axis
// (Travel 5.1 never sends `share`: −100 %) ends at the axis' edge in an arrow with its value.
const { test, expect } = require('@playwright/test');
const { settle, signIn, screenshot, widthShots, jsEnabled, ADMIN } = require('./helpers');

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

test('an owner changes a roll-out plan and the default one; a bad plan is refused and changes nothing', async ({ page }, testInfo) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Each project sets its own tolerance, so neither depends on the other having run.
  const tolerance = jsEnabled(testInfo) ? '12' : '11';
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  await page.locator('[data-testid=rollouts] tbody tr').filter({ hasText: 'Shop (iOS)' })
    .getByRole('link', { name: 'Shop (iOS)' }).click();
  await expect(page).toHaveURL(/\/t\/launchpad\/rollouts\/\d+$/);
  await settle(page, testInfo);
  const summary = page.getByTestId('plan-summary');
  await expect(summary).toContainText('stages 1, 5, 20, 50, 100 %');

  const form = page.getByTestId('plan-form');
  await page.getByText('Change the plan', { exact: true }).click();
  await form.getByLabel('Tolerance').fill(tolerance);
  await form.getByRole('button', { name: 'Save and evaluate again' }).click();
  await expect(summary).toContainText(`tolerance ±${tolerance} %`);
  await expect(page.getByTestId('plan-saved')).toHaveText('Saved and evaluated again.');
  await expect(page.getByTestId('method')).toContainText(`within ±${tolerance} %`);
  // Evaluated again against the new tolerance: the checks are judged by it.
  await expect(page.locator('[data-testid=check].pass').first()).toContainText(`lies within ±${tolerance}.0 %`);
  await expect(page.getByTestId('evaluation').getByTestId('verdict').first()).toHaveText('pass');

  // Stages out of order: refused in the user's terms; the plan is as it was.
  await settle(page, testInfo);
  if (!(await page.locator('details.edit').evaluate((d) => d.open))) {
    await page.getByText('Change the plan', { exact: true }).click();
  }
  await form.getByLabel('Stages').fill('50, 5');
  await form.getByRole('button', { name: 'Save and evaluate again' }).click();
  await expect(page.getByRole('alert')).toHaveText('stages [50, 5] are not ascending percentages from 1 to 100');
  await expect(summary).toContainText(`tolerance ±${tolerance} %`);
  await expect(summary).toContainText('stages 1, 5, 20, 50, 100 %');
  if (jsEnabled(testInfo)) {
    // Nothing typed is lost: the form still holds what was refused.
    await expect(form.getByLabel('Stages')).toHaveValue('50, 5');
  }
  await screenshot(page, testInfo, 'rollout-plan');

  // The tenant's plan for new roll-outs, on the list page.
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  const tenantPlan = page.getByTestId('tenant-plan');
  await tenantPlan.getByText('Change the plan for new roll-outs').click();
  const tenantForm = page.getByTestId('tenant-plan-form');
  await tenantForm.getByLabel('Stages').fill('2, 10, 50, 100');
  await tenantForm.getByLabel('Tolerance').fill(tolerance);
  await tenantForm.getByRole('button', { name: 'Save' }).click();
  await expect(tenantPlan.getByTestId('plan-summary')).toContainText(`stages 2, 10, 50, 100 % of sessions · tolerance ±${tolerance} %`);
  await settle(page, testInfo);
  if (!(await tenantPlan.locator('details.edit').evaluate((d) => d.open))) {
    await tenantPlan.getByText('Change the plan for new roll-outs').click();
  }
  await tenantForm.getByLabel('Tolerance').fill('ten');
  await tenantForm.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toHaveText('tolerance `ten` is not a number of percent, e.g. `10`');
  await expect(tenantPlan.getByTestId('plan-summary')).toContainText(`tolerance ±${tolerance} %`);
  if (jsEnabled(testInfo)) {
    await expect(tenantForm.getByLabel('Tolerance')).toHaveValue('ten');
  }
  expect(errors).toEqual([]);
});

test('an interval beyond the axis ends at its edge in an arrow labelled with its value', async ({ page }, testInfo) => {
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  await page.locator('[data-testid=rollouts] tbody tr').filter({ hasText: 'Travel (Android)' })
    .getByRole('link', { name: 'Travel (Android)' }).click();
  await expect(page).toHaveURL(/\/t\/launchpad\/rollouts\/\d+$/);
  await settle(page, testInfo);
  const chart = page.getByTestId('interval-chart');
  // The candidate sends no `share` at all: its rate fell by 100 %, twice the axis' reach.
  const check = chart.locator('g.interval').filter({ has: page.locator('text.label', { hasText: /^share per session$/ }) });
  await expect(check).toHaveCount(1);
  const mark = check.locator('g.clamped[data-clamped=low]');
  await expect(mark).toHaveCount(1);
  await expect(mark.locator('text')).toHaveText('−100.0 %');
  await expect(check.locator('g.clamped[data-clamped=high]')).toHaveCount(0);
  await widthShots(page, testInfo, 'rollout-interval-arrow');
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // Drawn inside the chart, left of its −50 % tick: at the edge, not off it.
    const svg = await chart.boundingBox();
    const arrow = await mark.locator('path.arrow').boundingBox();
    const tick = await chart.locator('text.axis', { hasText: /^-50%$/ }).boundingBox();
    expect(arrow.width).toBeGreaterThan(0);
    expect(arrow.x).toBeGreaterThanOrEqual(svg.x);
    expect(arrow.x + arrow.width).toBeLessThanOrEqual(svg.x + svg.width);
    expect(arrow.x).toBeLessThan(tick.x + tick.width / 2);
  }
});
