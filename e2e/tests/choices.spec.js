// Typing what the app knows (issue 17, item 8): forms offer the values the app knows instead of
// asking for them typed. A watch picks a tenant from a select, a name from a searchable list of
// that tenant's events (a datalist, also without JavaScript) and kinds of news from checkboxes;
// a roll-out opened by hand picks its application, platform and versions from the catalog; a
// user's rights change for a user picked by email; a re-ingestion takes its range from hour
// pickers. Each project uses its own tenant, user or hours (the roll-out found if already open),
// so the runs never collide.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, ADMIN, OWNER } = require('./helpers');

// Full-page screenshots at 1400 and 390 px wide, in the test's output folder (not committed).
async function shots(page, testInfo, name) {
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

// The values of a datalist's options, once it holds some.
async function offered(list) {
  await expect(list.locator('option').first()).toBeAttached();
  return list.locator('option').evaluateAll((options) => options.map((o) => [o.value, o.dataset.kind]));
}

test('a watch is made by picking a tenant, an event from the list and kinds of news', async ({ page }, testInfo) => {
  const js = jsEnabled(testInfo);
  // Neither is the first tenant, which the form offers names from at first.
  const tenant = js ? 'travelnest' : 'shopwave';
  await signIn(page, ADMIN);
  await page.goto('/watches');
  await settle(page, testInfo);
  const form = page.getByTestId('watch-form');
  // The tenant is a select of the caller's tenants, not a text box.
  const tenants = form.getByLabel('tenant');
  await expect(tenants).toHaveJSProperty('tagName', 'SELECT');
  await expect(tenants.locator(`option[value=${tenant}]`)).toHaveCount(1);
  if (js) {
    await tenants.selectOption(tenant);
  } else {
    // Without JavaScript, a link offers another tenant's names.
    await page.getByTestId('names-of').getByRole('link', { name: tenant, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/watches\\?tenant=${tenant}$`));
    await expect(tenants).toHaveValue(tenant);
  }
  // The name field searches the tenant's events, screens and applications.
  const name = form.getByLabel('name', { exact: true });
  await expect(name).toHaveAttribute('list', 'watch-names');
  const names = page.getByTestId('watch-names');
  await expect(names).toHaveAttribute('data-tenant', tenant);
  const events = (await offered(names)).filter(([, kind]) => kind === 'event').map(([value]) => value);
  expect(events.length).toBeGreaterThan(3);
  const picked = events[events.length - 1];
  await form.getByLabel('what').selectOption('event');
  await name.fill(picked);
  // Kinds of news are checkboxes: tick two.
  const boxes = page.getByTestId('news-kinds').getByRole('checkbox');
  expect(await boxes.count()).toBeGreaterThan(2);
  const kinds = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')];
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await shots(page, testInfo, 'watch-form');
  await form.getByRole('button', { name: 'Watch' }).click();
  const row = page.getByTestId('watches').locator('tbody tr').filter({ hasText: `event ${picked}` }).filter({ hasText: tenant });
  await expect(row).toHaveCount(1);
  for (const kind of kinds) {
    await expect(row).toContainText(kind.replace(/_/g, ' '));
  }
  await expect(row).not.toContainText('every kind');
  // Tidy up: stop watching.
  await settle(page, testInfo);
  await row.getByRole('link', { name: 'Stop watching' }).click();
  await row.getByTestId('confirm-unwatch').getByRole('button', { name: 'Yes, stop' }).click();
  await expect(row).toHaveCount(0);
});

test('a roll-out is opened by hand by picking the application, platform and versions', async ({ page }, testInfo) => {
  // The demo's one Shopwave pair with both versions (iOS has no 3.10: refused, with that said);
  // both projects ask for it, and opening the open one finds it.
  const platform = 'Android';
  await signIn(page, OWNER);
  await page.goto('/t/shopwave/rollouts');
  await settle(page, testInfo);
  const form = page.getByTestId('open-rollout');
  await expect(form.getByLabel('application')).toHaveJSProperty('tagName', 'SELECT');
  await expect(form.getByLabel('platform')).toHaveJSProperty('tagName', 'SELECT');
  await form.getByLabel('application').selectOption('Shopwave');
  await form.getByLabel('platform').selectOption(platform);
  // Versions come from the catalog's list.
  await expect(form.getByLabel('candidate version')).toHaveAttribute('list', 'known-versions');
  const versions = (await offered(page.getByTestId('known-versions'))).map(([value]) => value);
  expect(versions).toContain('3.10');
  expect(versions).toContain('3.9');
  await form.getByLabel('candidate version').fill('3.10');
  await form.getByLabel('baseline version').fill('3.9');
  await shots(page, testInfo, 'open-rollout');
  await form.getByRole('button', { name: 'Open' }).click();
  const row = page.locator('[data-testid=rollouts] tbody tr').filter({ hasText: `Shopwave (${platform})` }).filter({ hasText: '3.10' });
  await expect(row.first()).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test("a user's rights change for a user picked by email", async ({ page }, testInfo) => {
  const email = `e2e-rights-${testInfo.project.name}-${Date.now()}@e2e.test`;
  await signIn(page, ADMIN);
  await page.goto('/admin/users');
  await settle(page, testInfo);
  const create = page.getByTestId('create-user');
  await create.getByLabel('email').fill(email);
  await create.getByLabel('tenants').fill('shopwave');
  await create.getByLabel('initial password').fill('a long enough password');
  await create.getByRole('button', { name: 'Create' }).click();
  const row = page.getByTestId(`user-${email}`);
  await expect(row).toContainText('shopwave (viewer)');

  await settle(page, testInfo);
  const rights = page.getByTestId('user-rights');
  const user = rights.getByLabel('user');
  await expect(user).toHaveJSProperty('tagName', 'SELECT');
  await expect(user.locator('option', { hasText: email })).toHaveCount(1);
  await user.selectOption({ label: email });
  await rights.locator('select[name=role]').selectOption('owner');
  await rights.getByPlaceholder('tenants (comma-separated)').fill('shopwave, travelnest');
  await shots(page, testInfo, 'user-rights');
  await rights.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('shopwave (owner)');
  await expect(row).toContainText('travelnest (owner)');
});

// `YYYY-MM-DDTHH:00` of the hour `back` hours before the one the demo was written in.
function hourBefore(back) {
  const writtenAt = Number(process.env.E2E_DEMO_AT_MS || Date.now());
  return new Date(writtenAt - back * 3600 * 1000).toISOString().slice(0, 13) + ':00';
}

test('a range is re-ingested as chosen with the hour pickers', async ({ page }, testInfo) => {
  const back = jsEnabled(testInfo) ? 9 : 12;
  const [from, to] = [hourBefore(back), hourBefore(back - 1)];
  await signIn(page, ADMIN);
  await page.goto('/admin/ingestion');
  await settle(page, testInfo);
  const form = page.getByTestId('backfill-form');
  for (const field of ['from', 'to']) {
    const input = form.getByLabel(field, { exact: true });
    await expect(input).toHaveAttribute('type', 'datetime-local');
    await expect(input).toHaveAttribute('step', '3600');
  }
  await form.getByLabel('tenant').selectOption('travelnest');
  await form.getByLabel('from', { exact: true }).fill(from);
  await form.getByLabel('to', { exact: true }).fill(to);
  await shots(page, testInfo, 'reingest-form');
  await form.getByRole('button', { name: 'Queue' }).click();
  if (jsEnabled(testInfo)) {
    await expect(page.getByRole('status')).toContainText(/1 hours? of travelnest/);
  } else {
    await expect(page).toHaveURL(/\/admin\/ingestion(\?__done=[^&]*)?$/);
  }
  const row = page
    .locator('[data-testid=backfills] tbody tr')
    .filter({ has: page.locator(`time[datetime="${from}:00Z"]`) })
    .filter({ has: page.locator(`time[datetime="${to}:00Z"]`) })
    .filter({ hasText: 'travelnest' });
  await expect(row.first()).toBeVisible();
});
