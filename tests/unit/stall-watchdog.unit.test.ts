import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExportStalledError, startStallWatchdog } from '../../lib/exports/stall-watchdog';

describe('stall watchdog', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('aborts once nothing moved for the timeout, naming the side that held things up', () => {
    const watchdog = startStallWatchdog({ timeoutMs: 1_000, stalledOn: () => 'database' });
    vi.advanceTimersByTime(999);
    expect(watchdog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(300);
    expect(watchdog.signal.aborted).toBe(true);
    const reason = watchdog.signal.reason as ExportStalledError;
    expect(reason).toBeInstanceOf(ExportStalledError);
    expect(reason.stalledOn).toBe('database');
    expect(reason.message).toBe('The export made no progress for 1 s while waiting on Postgres');
  });

  it('each movement restarts the clock', () => {
    const watchdog = startStallWatchdog({ timeoutMs: 1_000, stalledOn: () => 'storage' });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(800);
      watchdog.moved();
    }
    expect(watchdog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1_250);
    expect(watchdog.signal.aborted).toBe(true);
    expect((watchdog.signal.reason as ExportStalledError).message).toMatch(/waiting on S3$/);
    watchdog.stop();
  });

  it('asks which side stalled only when it fires', () => {
    let side: 'storage' | 'database' = 'database';
    const watchdog = startStallWatchdog({ timeoutMs: 100, stalledOn: () => side });
    side = 'storage';
    vi.advanceTimersByTime(150);
    expect((watchdog.signal.reason as ExportStalledError).stalledOn).toBe('storage');
  });

  it('never fires once stopped', () => {
    const watchdog = startStallWatchdog({ timeoutMs: 100, stalledOn: () => 'storage' });
    watchdog.stop();
    vi.advanceTimersByTime(10_000);
    expect(watchdog.signal.aborted).toBe(false);
  });
});
