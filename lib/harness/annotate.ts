import * as allure from 'allure-js-commons';
import type { TestContext } from 'vitest';

/**
 * What a test wants in the reports: a vitest annotation (JUnit, terminal), an Allure step
 * with the same line, and the details as a JSON attachment.
 */
export async function report(ctx: TestContext, title: string, line: string, data?: unknown): Promise<void> {
  await ctx.annotate(line, title);
  await allure.logStep(`${title}: ${line}`);
  if (data !== undefined) await allure.attachment(title, JSON.stringify(data, null, 2), 'application/json');
}
