// Feedback after every action and actions only for those who may take them (issue 17, items 4, 5
// and 8): a refused edit keeps what was typed and shows why beside the field; every edit form
// says what its save did ("Saved", or the outcome), and on a page with one form per row (the
// applications, each tenant's notification settings) only the row saved says so; a watched
// event says "Watching" after a reload; viewers are not offered what they would be refused;
// revoking a token, disabling a user, closing a roll-out, removing a webhook and stopping a watch
// ask first; create forms are empty again after success. Each project uses its own events,
// tokens, users and watches, so the two runs never see each other.
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

// Opens the `details.edit` in `scope` unless it is open already.
async function openEdit(scope) {
  const details = scope.locator('details.edit').first();
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
}

test('each application says Saved or shows its refusal for its own edit form alone', async ({ page }, testInfo) => {
  const js = jsEnabled(testInfo);
  await signIn(page, OWNER);
  await page.goto('/t/shopwave/applications');
  await settle(page, testInfo);
  const cards = page.getByTestId('application');
  expect(await cards.count()).toBeGreaterThan(1);
  // Each project edits its own application.
  const card = cards.nth(js ? 0 : 1);
  const typed = `Described by the owner (${testInfo.project.name}, ${Date.now()})`;
  await openEdit(card);
  const form = card.getByTestId('edit-form');
  await form.getByLabel('Description').fill(typed);
  await form.getByLabel('Owner (email of a member)').fill(OWNER.email);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(card.getByTestId('description')).toHaveText(typed);
  await expect(card.getByTestId('saved')).toHaveText('Saved');
  await expect(page.getByTestId('saved')).toHaveCount(1);
  await shots(page, testInfo, 'application-saved');

  // Refused: the error beside this form only, this form alone open, nothing says Saved.
  await settle(page, testInfo);
  await openEdit(card);
  await form.getByLabel('Owner (email of a member)').fill('nobody@e2e.test');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(card.getByTestId('save-error')).toContainText('nobody@e2e.test is not a member of shopwave');
  await expect(page.getByTestId('save-error')).toHaveCount(1);
  await expect(page.getByTestId('saved')).toHaveCount(0);
  await expect(page.locator('details.edit[open]')).toHaveCount(1);
  await expect(card.locator('details.edit')).toHaveJSProperty('open', true);
  await expect(card.getByTestId('description')).toHaveText(typed);
});

test('every edit form says what its save did, with JavaScript and without', async ({ page }, testInfo) => {
  const email = `e2e-saved-${testInfo.project.name}-${Date.now()}@e2e.test`;
  await signIn(page, ADMIN);

  // A user: created (the form empty again), rights changed, password reset: each says so.
  await page.goto('/admin/users');
  await settle(page, testInfo);
  const create = page.getByTestId('create-user');
  await create.getByLabel('email').fill(email);
  await create.getByLabel('tenants').fill('travelnest');
  await create.getByLabel('initial password').fill('a long enough password');
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('user-created')).toHaveText('User created.');
  await expect(page.getByTestId(`user-${email}`)).toContainText('travelnest (viewer)');
  await expect(create.getByLabel('email')).toHaveValue('');
  await expect(page.getByTestId('rights-saved')).toHaveCount(0);

  await settle(page, testInfo);
  const rights = page.getByTestId('user-rights');
  await rights.getByLabel('user').selectOption({ label: email });
  await rights.locator('select[name=role]').selectOption('owner');
  await rights.getByPlaceholder('tenants (comma-separated)').fill('travelnest');
  await rights.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('rights-saved')).toHaveText('Rights saved.');
  await expect(page.getByTestId(`user-${email}`)).toContainText('travelnest (owner)');

  await settle(page, testInfo);
  const reset = page.locator('form').filter({ has: page.getByRole('button', { name: 'Reset' }) });
  await reset.getByPlaceholder('email').fill(email);
  await reset.getByPlaceholder('new password (10+ characters)').fill('another long password');
  await reset.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('password-reset')).toHaveText('Password reset.');
  await shots(page, testInfo, 'users-saved');

  // Each tenant's quiet period says Saved in its own section only (saved as it was).
  await page.goto('/admin/notifications');
  await settle(page, testInfo);
  const section = page.getByTestId('channels-travelnest');
  await section.locator('form').filter({ has: page.locator('input[name=days]') }).getByRole('button', { name: 'Save' }).click();
  await expect(section.getByTestId('quiet-saved')).toHaveText('Saved.');
  await expect(page.getByTestId('quiet-saved')).toHaveCount(1);
  await shots(page, testInfo, 'quiet-saved');

  // The email digest (chosen as it was).
  await page.goto('/watches');
  await settle(page, testInfo);
  await page.getByTestId('mail-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('mail-saved')).toContainText('Saved');

  // The tenant's plan for new roll-outs (saved as it was).
  await page.goto('/t/launchpad/rollouts');
  await settle(page, testInfo);
  const plan = page.getByTestId('tenant-plan');
  await openEdit(plan);
  await plan.getByTestId('tenant-plan-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('plan-saved')).toHaveText('Saved: new roll-outs start with this plan.');
});

test('removing a webhook asks first; adding one says so in its tenant and clears the form', async ({ page }, testInfo) => {
  // The loopback's discard port (the browser tests allow 127.0.0.1): nothing is sent anywhere.
  const url = `http://127.0.0.1:9/e2e-${testInfo.project.name}-${Date.now()}`;
  await signIn(page, ADMIN);
  await page.goto('/admin/notifications');
  await settle(page, testInfo);
  const section = page.getByTestId('channels-shopwave');
  const form = section.getByTestId('webhook-form');
  await form.getByLabel('webhook URL').fill(url);
  await form.getByLabel('kinds of news').fill('event');
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const hook = section.getByTestId('webhook').filter({ hasText: url });
  await expect(hook).toHaveCount(1);
  await expect(section.getByTestId('webhook-added')).toHaveText('Webhook added.');
  await expect(page.getByTestId('webhook-added')).toHaveCount(1);
  await expect(form.getByLabel('webhook URL')).toHaveValue('');
  await expect(form.getByLabel('kinds of news')).toHaveValue('');

  await settle(page, testInfo);
  await hook.getByRole('link', { name: 'Remove' }).click();
  const confirm = hook.getByTestId('confirm-remove-webhook');
  await expect(confirm).toContainText(`Remove the webhook to ${url}?`);
  await expect(confirm.getByRole('button', { name: 'Yes, remove' })).toBeVisible();
  await shots(page, testInfo, 'confirm-remove-webhook');
  // Cancel keeps it; asking changed nothing.
  await confirm.getByRole('link', { name: 'Cancel' }).click();
  await expect(hook.getByTestId('confirm-remove-webhook')).toHaveCount(0);
  await expect(hook).toHaveCount(1);

  await settle(page, testInfo);
  await hook.getByRole('link', { name: 'Remove' }).click();
  await hook.getByTestId('confirm-remove-webhook').getByRole('button', { name: 'Yes, remove' }).click();
  await expect(page.getByTestId('webhook-removed')).toHaveText('Webhook removed.');
  await expect(hook).toHaveCount(0);
});

test('stopping a watch asks first; adding one says so and clears the form', async ({ page }, testInfo) => {
  const js = jsEnabled(testInfo);
  // Each project its own user and tenant, so neither finds the other's watch.
  const [who, tenant] = js ? [READER, 'shopwave'] : [VIEWER, 'acme'];
  await signIn(page, who);
  await page.goto('/watches');
  await settle(page, testInfo);
  const form = page.getByTestId('watch-form');
  await form.getByLabel('tenant').selectOption(tenant);
  await form.getByLabel('what').selectOption('tenant');
  const box = page.getByTestId('news-kinds').getByRole('checkbox').first();
  await box.check();
  await form.getByRole('button', { name: 'Watch' }).click();
  const row = page.getByTestId('watches').locator('tbody tr').filter({ hasText: 'the whole tenant' }).filter({ hasText: tenant });
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId('watch-added')).toContainText(js ? `Watching the whole tenant ${tenant}.` : 'Watch added');
  // The form is as it was before anything was typed.
  await expect(form.getByLabel('what')).toHaveValue('event');
  await expect(box).not.toBeChecked();

  await settle(page, testInfo);
  await row.getByRole('link', { name: 'Stop watching' }).click();
  const confirm = row.getByTestId('confirm-unwatch');
  await expect(confirm).toContainText(`Stop watching the whole tenant ${tenant}?`);
  await shots(page, testInfo, 'confirm-unwatch');
  await confirm.getByRole('link', { name: 'Cancel' }).click();
  await expect(row.getByTestId('confirm-unwatch')).toHaveCount(0);
  await expect(row).toHaveCount(1);

  await settle(page, testInfo);
  await row.getByRole('link', { name: 'Stop watching' }).click();
  await row.getByTestId('confirm-unwatch').getByRole('button', { name: 'Yes, stop' }).click();
  await expect(page.getByTestId('watch-removed')).toHaveText('Stopped watching.');
  await expect(row).toHaveCount(0);
});
