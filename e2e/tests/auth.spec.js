// Signing in and out, a wrong password, and what a viewer may not see.
const { test, expect } = require('@playwright/test');
const { settle, signIn, ADMIN, VIEWER } = require('./helpers');

test('an anonymous visitor is sent to sign in, then back where they were going', async ({ page }, testInfo) => {
  await page.goto('/?q=acme');
  await expect(page).toHaveURL(/\/login\?next=/);
  await settle(page, testInfo);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/\?q=acme$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN.email);
});

test('signing out ends the session', async ({ page }, testInfo) => {
  await signIn(page, ADMIN);
  await settle(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('a wrong password shows one calm message', async ({ page }, testInfo) => {
  await page.goto('/login');
  await settle(page, testInfo);
  await page.getByLabel('Email').fill(VIEWER.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alerts = page.getByRole('alert');
  await expect(alerts).toHaveCount(1);
  await expect(alerts).toHaveText('The email or password is incorrect.');
  await expect(page.getByLabel('Email')).toBeVisible();
});

test('a viewer cannot reach an admin page', async ({ page }, testInfo) => {
  await signIn(page, VIEWER);
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  const response = await page.goto('/admin/users');
  expect(response.status()).toBe(403);
  await settle(page, testInfo);
  await expect(page.getByTestId('refusal')).toHaveText('You are not allowed to see this page.');
  await expect(page.getByTestId('users')).toHaveCount(0);
});

test('an admin sees the users and the audit log', async ({ page }, testInfo) => {
  await signIn(page, ADMIN);
  await page.goto('/admin/users');
  await settle(page, testInfo);
  await expect(page.getByTestId('users')).toContainText(VIEWER.email);
  await page.goto('/admin/audit?action=user.create');
  await expect(page.getByTestId('audit')).toContainText('user.create');
});
