import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { temporalLogger } from '../../worker/temporal-logger';

function capture(level = 'debug') {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { records, logger: temporalLogger(pino({ level, formatters: { level: (label) => ({ level: label }) } }, stream)) };
}

describe('Temporal SDK logs through pino', () => {
  it("demotes the SDK's own INFO chatter to debug and keeps workflow and activity INFO lines at info", () => {
    const { records, logger } = capture();
    logger.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    logger.info('Workflow bundle created', { sdkComponent: 'worker' });
    logger.info('Export attempt started', { sdkComponent: 'activity', workflowId: 'user-export-1', attempt: 2 });
    logger.log('INFO', 'Export failed', { sdkComponent: 'workflow', workflowId: 'user-export-1' });
    logger.warn('core warning', { sdkComponent: 'core' });
    expect(records.map((r) => [r.msg, r.level])).toEqual([
      ['Worker state changed', 'debug'],
      ['Workflow bundle created', 'debug'],
      ['Export attempt started', 'info'],
      ['Export failed', 'info'],
      ['core warning', 'warn'],
    ]);
    expect(records[2]).toMatchObject({ workflowId: 'user-export-1', attempt: 2 });
  });

  it('hides the chatter at the default level, and never writes an activity task token', () => {
    const { records, logger } = capture('info');
    logger.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    logger.info('Export file stored', { sdkComponent: 'activity', taskToken: 'c2VjcmV0', activityId: '1' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ msg: 'Export file stored', activityId: '1' });
    expect(records[0]).not.toHaveProperty('taskToken');
  });
});
