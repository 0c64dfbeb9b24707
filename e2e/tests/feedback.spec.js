// Feedback after every action and actions only for those who may take them (issue 17, items 4, 5
// and 8's confirmations): a refused edit keeps what was typed and shows why beside the field; a
// save says "Saved"; a watched event says "Watching" after a reload; viewers are not offered what
// they would be refused; revoking a token, disabling a user and closing a roll-out ask first.
// Each project uses its own events, tokens and users, so the two runs never see each other.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, ADMIN, VIEWER, OWNER, READER } = require('./helpers');

// Full-page screenshots at 1400 and 390 px wide, in the test's output folder (not committed).
async function shots(page, testInfo, name) {
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

// The status of the answer to the next call of a server function (JavaScript on).
function serverFnAnswer(page, name) {
  return page.waitForResponse((r) => r.request().method() === 'POST' && new RegExp(`/api/${name}\\d*$`).test(new URL(r.url()).pathname));
}

test('a refused edit keeps what was typed, shows the error beside its field, open; a save says Saved', async ({ page }, testInfo) => {
  const js = jsEnabled(testInfo);
  const event = js ? 'wishlistAdded' : 'wishlistRemoved';
  const typed = `Typed by the owner (${testInfo.project.name}, ${Date.now()})`;
  await signIn(page, OWNER);
  await page.goto(`/t/shopwave/events/${event}`);
  await settle(page, testInfo);
  const before = await page.getByTestId('description').textContent();
  await page.locator('details.edit summary').click();
  const form = page.getByTestId('edit-form');
  await form.getByLabel('Description').fill(typed);
  await form.getByLabel('Owner (email of a member)').fill('nobody@e2e.test');
  await form.getByLabel('Status').selectOption('deprecated');
  const answered = js ? serverFnAnswer(page, 'update_curation') : null;
  await form.getByRole('button', { name: 'Save' }).click();
  if (js) {
    // The caller's mistake is a 400 with its message, not a server failure.
    const response = await answered;
    expect(response.status()).toBe(400);
    expect(await response.text()).toContain('not a member');
  } else {
    await expect(page).toHaveURL(/__err=/);
  }
  const error = page.getByTestId('save-error');
  await expect(error).toHaveCount(1);
  await expect(error).toContainText('nobody@e2e.test is not a member of shopwave');
  // Beside the owner field, in a section that is open, with every typed value kept.
  await expect(error).toHaveAttribute('data-field', 'owner');
  await expect(page.locator('details.edit')).toHaveJSProperty('open', true);
  await expect(form.getByLabel('Description')).toHaveValue(typed);
  await expect(form.getByLabel('Owner (email of a member)')).toHaveValue('nobody@e2e.test');
  await expect(form.getByLabel('Status')).toHaveValue('deprecated');
  await expect(page.getByTestId('description')).toHaveText(before);
  await expect(page.getByTestId('saved')).toHaveCount(0);
  await shots(page, testInfo, 'edit-refused');

  // Fixed and saved: the page says so and shows the new description.
  await settle(page, testInfo);
  await form.getByLabel('Owner (email of a member)').fill(OWNER.email);
  await form.getByLabel('Status').selectOption('active');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('saved')).toHaveText('Saved');
  await expect(page.getByTestId('description')).toHaveText(typed);
  await expect(page.getByTestId('save-error')).toHaveCount(0);
  await expect(page.getByTestId('owner')).toHaveText(OWNER.email);
  await shots(page, testInfo, 'edit-saved');
});

test('a watched event says Watching with Unwatch after a reload, and Unwatch stops it', async ({ page }, testInfo) => {
  const event = jsEnabled(testInfo) ? 'couponApplied' : 'checkoutStarted';
  await signIn(page, READER);
  await page.goto(`/t/shopwave/events/${event}`);
  await settle(page, testInfo);
  const button = page.getByTestId('watch-button');
  await expect(button.getByTestId('watching')).toHaveCount(0);
  await button.getByRole('button', { name: 'Watch this event' }).click();
  await expect(button.getByTestId('watching')).toContainText('Watching');
  await page.reload();
  await settle(page, testInfo);
  await expect(button.getByTestId('watching')).toContainText('Watching');
  await expect(button.getByRole('button', { name: 'Unwatch' })).toBeVisible();
  await expect(button.getByRole('button', { name: 'Watch this event' })).toHaveCount(0);
  await shots(page, testInfo, 'watching');
  await button.getByRole('button', { name: 'Unwatch' }).click();
  await expect(button.getByRole('button', { name: 'Watch this event' })).toBeVisible();
  await page.reload();
  await settle(page, testInfo);
  await expect(button.getByRole('button', { name: 'Watch this event' })).toBeVisible();
  await expect(button.getByTestId('watching')).toHaveCount(0);
});

test('a viewer is offered only what they may do', async ({ page }, testInfo) => {
  await signIn(page, VIEWER);
  await settle(page, testInfo);
  const menu = page.getByRole('navigation', { name: 'Main' });
  await expect(menu.getByRole('link', { name: 'Watches' })).toBeVisible();
  for (const name of ['Tokens', 'Notifications', 'Users', 'Audit', 'Ingestion']) {
    await expect(menu.getByRole('link', { name, exact: true })).toHaveCount(0);
  }
  // The users page refuses with its message alone: no forms that look as if they worked.
  const response = await page.goto('/admin/users');
  expect(response.status()).toBe(403);
  await settle(page, testInfo);
  await expect(page.getByTestId('refusal')).toHaveText('You are not allowed to see this page.');
  await expect(page.locator('main form')).toHaveCount(0);
  await expect(page.locator('main input, main button')).toHaveCount(0);
  await shots(page, testInfo, 'viewer-users');

  // A viewer of shopwave: no roll-out to open by hand, no state buttons, no edit form.
  await page.context().clearCookies();
  await signIn(page, READER);
  await page.goto('/t/shopwave/rollouts');
  await settle(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Open a roll-out by hand' })).toHaveCount(0);
  await expect(page.getByLabel('candidate version')).toHaveCount(0);
  await shots(page, testInfo, 'viewer-rollouts');
  await page.goto('/t/shopwave/events/appOpened');
  await settle(page, testInfo);
  await expect(page.locator('details.edit')).toHaveCount(0);
});

test('an owner and an admin are offered what they may do', async ({ page }, testInfo) => {
  await signIn(page, OWNER);
  await settle(page, testInfo);
  let menu = page.getByRole('navigation', { name: 'Main' });
  await expect(menu.getByRole('link', { name: 'Tokens' })).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Notifications' })).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/t/shopwave/rollouts');
  await settle(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Open a roll-out by hand' })).toBeVisible();
  await expect(page.getByLabel('candidate version')).toBeVisible();
  await shots(page, testInfo, 'owner-rollouts');

  await page.context().clearCookies();
  await signIn(page, ADMIN);
  menu = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Tokens', 'Notifications', 'Users', 'Audit', 'Ingestion']) {
    await expect(menu.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await page.goto('/admin/users');
  await settle(page, testInfo);
  await expect(page.getByTestId('create-user')).toBeVisible();
});

test('revoking a token asks first; the create form is cleared after success', async ({ page }, testInfo) => {
  const name = `e2e revoke ${testInfo.project.name} ${Date.now()}`;
  await signIn(page, OWNER);
  await page.goto('/admin/tokens');
  await settle(page, testInfo);
  const create = page.getByTestId('create-token');
  await create.getByLabel('token name').fill(name);
  // Only the tenants and roles this owner may give a token are offered.
  await expect(create.getByLabel('role').locator('option')).toHaveText(['viewer', 'owner']);
  await create.getByLabel('tenant').selectOption('shopwave');
  await create.getByRole('button', { name: 'Create' }).click();
  // With JavaScript the secret is the server function's answer; without, the page the browser is
  // sent back to shows it once (it waited, sealed, in the session, never in the address).
  const secret = page.getByTestId('new-token');
  await expect(secret).toHaveText(/^bpt_\w{40}$/);
  await expect(page.getByText('it is not shown again')).toBeVisible();
  expect(page.url()).not.toContain('bpt_');
  await expect(create.getByLabel('token name')).toHaveValue('');
  await page.reload();
  await settle(page, testInfo);
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  const row = page.locator('[data-testid=tokens] tbody tr').filter({ hasText: name });
  await expect(row).toHaveCount(1);

  await settle(page, testInfo);
  await row.getByRole('link', { name: 'Revoke' }).click();
  const confirm = row.getByTestId('confirm-revoke');
  await expect(confirm).toContainText(`Revoke ${name}?`);
  // Asking changed nothing yet.
  await expect(row).not.toContainText('revoked');
  await shots(page, testInfo, 'confirm-revoke');
  await confirm.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(row).toContainText('revoked');
  await expect(row.getByTestId('confirm-revoke')).toHaveCount(0);
});

test('disabling a user asks first, oneself included; the create form is cleared after success', async ({ page }, testInfo) => {
  const email = `e2e-disable-${testInfo.project.name}-${Date.now()}@e2e.test`;
  await signIn(page, ADMIN);
  await page.goto('/admin/users');
  await settle(page, testInfo);
  const create = page.getByTestId('create-user');
  await create.getByLabel('email').fill(email);
  await create.getByLabel('tenants').fill('shopwave');
  await create.getByLabel('initial password').fill('a long enough password');
  await create.getByRole('button', { name: 'Create' }).click();
  const row = page.getByTestId(`user-${email}`);
  await expect(row).toContainText('active');
  await expect(create.getByLabel('email')).toHaveValue('');

  // Oneself: asked too, and Cancel keeps the account.
  await settle(page, testInfo);
  const self = page.getByTestId(`user-${ADMIN.email}`);
  await self.getByRole('link', { name: 'Disable' }).click();
  await expect(self.getByTestId('confirm-disable')).toContainText(`Disable ${ADMIN.email}?`);
  await self.getByRole('link', { name: 'Cancel' }).click();
  await expect(self.getByTestId('confirm-disable')).toHaveCount(0);
  await expect(self).toContainText('active');

  await settle(page, testInfo);
  await row.getByRole('link', { name: 'Disable' }).click();
  const confirm = row.getByTestId('confirm-disable');
  await expect(confirm).toContainText(`Disable ${email}?`);
  await expect(row).toContainText('active');
  await shots(page, testInfo, 'confirm-disable');
  await confirm.getByRole('button', { name: 'Yes, disable' }).click();
  await expect(row).toContainText('disabled');
  await expect(row.getByRole('button', { name: 'Enable' })).toBeVisible();
});

test('closing a roll-out asks first', async ({ page }, testInfo) => {
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  // A roll-out still open or paused (the demo opens them; nothing here closes one).
  const live = page.locator('[data-testid=rollouts] tbody tr')
    .filter({ has: page.locator('td:nth-child(4)', { hasText: /^(open|paused)$/ }) });
  await live.first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/t\/launchpad\/rollouts\/\d+$/);
  await settle(page, testInfo);
  await page.getByRole('link', { name: 'Close', exact: true }).click();
  const confirm = page.getByTestId('confirm-close');
  await expect(confirm).toContainText('Close this roll-out?');
  await expect(confirm.getByRole('button', { name: 'Yes, close' })).toBeVisible();
  await confirm.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByTestId('confirm-close')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Close', exact: true })).toBeVisible();
});
