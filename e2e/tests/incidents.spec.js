// The incidents pages on the demo data: the demo plants anomalies in `shopwave` (a range of two
// days always holds the evening in which iOS 3.10.0 sends no screen loads for four hours), the
// detector finds them while `blueprint demo` ingests, and an owner acknowledges, snoozes and
// reopens one — with JavaScript on and off. A reader sees the same incident without any action.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, screenshot, OWNER, READER } = require('./helpers');

const LIST = '/t/shopwave/incidents';

// The stopped incident of the demo's iOS 3.10.0, from the list (its row links to its page).
async function openStopped(page, testInfo) {
  await page.goto(`${LIST}?kind=stopped`);
  await settle(page, testInfo);
  const table = page.getByTestId('incidents');
  await expect(table).toBeVisible();
  const row = table.locator('tr[data-incident]', { hasText: '3.10.0' }).first();
  await expect(row).toContainText('stopped');
  await expect(row).toContainText('iOS');
  const link = row.getByRole('link');
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^\/t\/shopwave\/incidents\/\d+$/);
  await link.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await settle(page, testInfo);
  return href;
}

// A time three days after the demo was written, as the snooze form takes it (UTC hour).
function snoozeUntil() {
  const at = new Date(Number(process.env.E2E_DEMO_AT_MS || Date.now()) + 3 * 24 * 3600 * 1000);
  return at.toISOString().slice(0, 13);
}

test('an owner acknowledges, snoozes and reopens the demo stop', async ({ page }, testInfo) => {
  await signIn(page, OWNER);
  const href = await openStopped(page, testInfo);
  await expect(page.getByTestId('incident-title')).toContainText('stopped');
  await expect(page.getByTestId('series')).toContainText('3.10.0');
  // Its chart: observed against the expected band.
  await expect(page.locator('figure, svg').first()).toBeVisible();
  await screenshot(page, testInfo, 'incident-stopped');

  const state = page.getByTestId('incident-state');
  if ((await state.textContent()) !== 'open') {
    // A previous run left it acted on: start from open.
    await page.getByTestId('incident-actions').getByRole('button', { name: 'Reopen' }).click();
    await expect(state).toHaveText('open');
  }

  const ack = page.getByTestId('acknowledge-form');
  await ack.getByLabel('Comment').fill('iOS 3.10.0 screen tracking, fix in 3.10.1');
  await ack.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(state).toHaveText('acknowledged');
  await expect(page.getByTestId('acted')).toContainText('fix in 3.10.1');
  await expect(page.getByTestId('acted')).toContainText(OWNER.email);
  if (jsEnabled(testInfo)) {
    await expect(page.getByTestId('change-done')).toContainText('acknowledged');
  } else {
    // Sent back to the page, which says it is done and shows the new state above.
    await expect(page.getByTestId('change-done')).toHaveText('Done: the state above is the new one.');
  }
  // It is stored: a fresh load says the same.
  await page.goto(href);
  await settle(page, testInfo);
  await expect(state).toHaveText('acknowledged');

  const snooze = page.getByTestId('snooze-form');
  await snooze.getByLabel('Snooze until (UTC)').fill(snoozeUntil());
  await snooze.getByRole('button', { name: 'Snooze' }).click();
  await expect(state).toHaveText('snoozed');
  await expect(page.getByTestId('acted')).toContainText('until');

  // The list shows the new state, and filters by it.
  await page.goto(`${LIST}?state=snoozed`);
  await settle(page, testInfo);
  await expect(page.locator(`tr[data-incident] a[href="${href}"]`)).toBeVisible();

  await page.goto(href);
  await settle(page, testInfo);
  await page.getByTestId('incident-actions').getByRole('button', { name: 'Reopen' }).click();
  await expect(state).toHaveText('open');
});

test('a bad snooze time is refused and changes nothing', async ({ page }, testInfo) => {
  await signIn(page, OWNER);
  await openStopped(page, testInfo);
  const state = page.getByTestId('incident-state');
  const before = await state.textContent();
  const snooze = page.getByTestId('snooze-form');
  await snooze.getByLabel('Snooze until (UTC)').fill('next tuesday');
  await snooze.getByRole('button', { name: 'Snooze' }).click();
  await expect(page.getByRole('alert')).toContainText(/snooze|time|hour/i);
  await expect(state).toHaveText(before);
});

test('a reader sees the incident and its series, with no action', async ({ page }, testInfo) => {
  await signIn(page, READER);
  await openStopped(page, testInfo);
  await expect(page.getByTestId('incident-title')).toContainText('stopped');
  await expect(page.getByTestId('series')).toBeVisible();
  await expect(page.getByTestId('incident-actions')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Mute/ })).toHaveCount(0);
});
