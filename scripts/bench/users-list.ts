import { ApiSession } from './api-session';
import type { BenchContext } from './bench-context';
import type { UsersEnv } from './seed-users-env';
import { formatMs, round, summarize, type Summary } from './stats';

/**
 * `GET /api/users` at scale (issue 10): signed in as the bench admin, switched to the
 * environment holding 10M events over 100 users, the first page and a search requested
 * alternately, one at a time, through the production web app. Each answer's event counts
 * are checked against the seeded ones, so a fast but wrong list does not pass.
 */

export interface UsersListResult {
  users: number;
  environmentEvents: number;
  requests: number;
  pageSize: number;
  firstPage: Summary;
  search: Summary;
  /** Every answer listed the expected users with their exact event counts. */
  countsOk: boolean;
  firstPageRuns: number[];
  searchRuns: number[];
}

const pageSize = 20; // the users page's own page size (app/(admin)/users/_hooks)

export async function runUsersList(
  ctx: BenchContext,
  env: UsersEnv,
  opts: { appUrl: string; password: string; requests: number; warmup: number },
): Promise<UsersListResult> {
  const session = await ApiSession.signIn(opts.appUrl, ctx.data.tenants.bench.adminEmail, opts.password);
  await session.switchEnvironment(env.environmentId);
  let countsOk = true;

  const list = async (query: string, expected: number) => {
    const started = performance.now();
    const response = await session.request('GET', `/api/users?${query}`);
    const body = (await response.json()) as { users?: { eventCount: number }[] };
    const ms = performance.now() - started;
    const users = body.users ?? [];
    if (!response.ok || users.length !== expected || users.some((u) => u.eventCount !== env.eventsPerUser)) {
      if (countsOk)
        ctx.log(`WARNING: GET /api/users?${query}: HTTP ${response.status}, ${users.length} users (expected ${expected} of ${env.eventsPerUser} events each)`);
      countsOk = false;
    }
    return ms;
  };
  // `users-04` matches users 040–049: a search that scans the environment's users and
  // returns ten, each with its count.
  const search = (i: number) => list(`limit=${pageSize}&search=users-0${i % 10}`, 10);
  const firstPage = () => list(`limit=${pageSize}`, pageSize);

  for (let i = 0; i < opts.warmup; i++) {
    await firstPage();
    await search(i);
  }
  const page: number[] = [];
  const found: number[] = [];
  for (let i = 0; i < opts.requests; i++) {
    page.push(await firstPage());
    found.push(await search(i));
  }
  const result = {
    users: env.users,
    environmentEvents: env.totalEvents,
    requests: opts.requests,
    pageSize,
    firstPage: summarize(page),
    search: summarize(found),
    countsOk,
    firstPageRuns: page.map((v) => round(v)),
    searchRuns: found.map((v) => round(v)),
  };
  ctx.log(
    `users list: first page p50 ${formatMs(result.firstPage.median)}, p95 ${formatMs(result.firstPage.p95)}; search p50 ${formatMs(result.search.median)}, p95 ${formatMs(result.search.p95)}; counts ${countsOk ? 'right' : 'WRONG'}`,
  );
  return result;
}
