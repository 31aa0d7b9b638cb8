import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { streamOrderSettings, userEventsSql, rfc3339Sql, type EventsQuery } from '../../../lib/exports/events-copy';
import { exportFormat } from '../../../lib/exports/formats';
import { findFreeStackPorts, startStack } from '../../stack/index';

/**
 * Experiment (issue 12): candidate COPY statements for events.jsonl against csv's, on the
 * bench data's 1M-event user: COPY alone, and COPY → deflate level 6 (the ZIP's cost).
 * `tsx scripts/bench/experiments/jsonl-copy-sql.ts [bench data dir]` after a throughput run
 * seeded it. Runs no migrations.
 */
const dataDir = process.argv[2] ?? process.env.BENCH_DATA_DIR ?? path.join(os.tmpdir(), `export-console-bench-data-${process.getuid?.() ?? 'user'}`);
const stack = await startStack({ dataDir, ports: await findFreeStackPorts(), env: {}, log: () => {} });
const client = new pg.Client({ connectionString: stack.env.DATABASE_URL });
await client.connect();
try {
  const { rows } = await client.query<{ id: string; tenant_id: string; environment_id: string }>(
    `select id, tenant_id, environment_id from users where email = 'bench-1000000@bench.example'`,
  );
  const u = rows[0]!;
  const q: EventsQuery = { tenantId: u.tenant_id, environmentId: u.environment_id, userId: u.id };
  const csvMode = `with (format csv, header false, quote e'\\x01', delimiter e'\\x02')`;
  const candidates: Record<string, string> = {
    csv: exportFormat('csv').eventsCopySql(q),
    'jsonl (concat + to_json)': exportFormat('jsonl').eventsCopySql(q),
    'jsonl (row_to_json)': `copy (select row_to_json(x) from (select e.id as event_id, e.type, ${rfc3339Sql('e.occurred_at')} as occurred_at, e.properties::json as properties from (${userEventsSql(q)}) e order by e.occurred_at, e.id) x) to stdout ${csvMode}`,
    'jsonl (json_build_object)': `copy (select json_build_object('event_id', e.id, 'type', e.type, 'occurred_at', ${rfc3339Sql('e.occurred_at')}, 'properties', e.properties::json) from (${userEventsSql(q)}) e order by e.occurred_at, e.id) to stdout ${csvMode}`,
  };
  await client.query(streamOrderSettings.apply);
  for (let round = 0; round < 3; round++) {
    for (const [name, sql] of Object.entries(candidates)) {
      for (const deflate of [false, true]) {
        let bytes = 0;
        const t = performance.now();
        const sink = new Writable({
          write: (c: Buffer, _e, cb) => {
            bytes += c.length;
            cb();
          },
        });
        const copy = client.query(copyTo(sql));
        if (deflate) await pipeline(copy, createDeflateRaw({ level: 6 }), sink);
        else await pipeline(copy, sink);
        console.log(
          `round ${round} ${name.padEnd(28)} ${deflate ? 'COPY → deflate' : 'COPY alone    '} ${((performance.now() - t) / 1000).toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB`,
        );
      }
    }
  }
} finally {
  await client.end();
  await stack.stop();
}
