import { describe, expect, it } from 'vitest';
import { saveHistory } from '../support/histories';
import { internalDetailPattern } from '../support/internal-detail';
import { requestExport, untilStatus, productUnderFault } from './support/product-under-fault';
import type { ExportDto } from '../../lib/exports/export.contracts';

/**
 * Storage gone for good under a running product (its own private stack, so these waits on
 * real retry and stall timeouts run beside the other fault files): every attempt fails and
 * the export ends failed with the storage summary, in the row and in Temporal.
 */
const product = productUnderFault({ bigUserEvents: 1_000 });

describe('storage gone for good', () => {
  it('S3 gone for good: the export ends failed with a readable summary after its retries', async () => {
    await product.stack.stopS3();
    try {
      const accepted = await requestExport(product, product.fixture.smallUserId);
      expect(accepted.status).toBe(202);
      const { export: small } = (await accepted.json()) as { export: ExportDto };
      const failed = await untilStatus(product, small.id, 'failed', 400_000);
      expect(failed.errorSummary).toMatch(/^The export failed after 3 attempts because file storage was unreachable\. Request it again/);
      // Viewers read this too: no socket code, address or port (the detail stays in Temporal).
      expect(failed.errorSummary).not.toMatch(internalDetailPattern);
      // The row first, then Temporal's own status says the same (an operator filters on Failed).
      await expect.poll(async () => (await product.temporal.workflow.getHandle(small.workflowId).describe()).status.name, { timeout: 30_000 }).toBe('FAILED');
      await saveHistory(product.temporal, small.workflowId, 's3-gone');
    } finally {
      await product.stack.startS3();
    }
  });

  it('S3 stopped (SIGSTOP) for good: every attempt stalls out, and the export ends failed with the storage summary', async () => {
    product.stack.pauseS3();
    try {
      const accepted = await requestExport(product, product.fixture.smallUserId);
      expect(accepted.status).toBe(202);
      const { export: small } = (await accepted.json()) as { export: ExportDto };
      // Three attempts of ~30-40 s each, 5 s and 10 s apart: a hang never outlasts them.
      const failed = await untilStatus(product, small.id, 'failed', 240_000);
      expect(failed.errorSummary).toMatch(/^The export failed after 3 attempts because file storage was unreachable\. Request it again/);
      expect(failed.errorSummary).not.toMatch(internalDetailPattern);
      await expect.poll(async () => (await product.temporal.workflow.getHandle(small.workflowId).describe()).status.name, { timeout: 30_000 }).toBe('FAILED');
    } finally {
      product.stack.resumeS3();
    }
  });
});
