import { PutBucketLifecycleConfigurationCommand, type LifecycleRule, type S3Client } from '@aws-sdk/client-s3';

/**
 * Multipart uploads left open by an attempt that died (its parts cost storage and hold
 * personal data) are aborted by the bucket a day after they started. Export attempts
 * abort only their own uploads and earlier attempts' ones, so whatever the last attempt
 * of a killed export leaves is cleaned up here. The README gives the same rule for AWS.
 */
export const abortIncompleteUploadsRule: LifecycleRule = {
  ID: 'abort-incomplete-export-uploads',
  Status: 'Enabled',
  Filter: { Prefix: 'exports/' },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
};

/**
 * Sets the rule on the stack's bucket. versitygw v1.7.0's posix backend answers
 * PutBucketLifecycleConfiguration with 501 NotImplemented: that is reported, not fatal,
 * since the local stack's data is throwaway.
 */
export async function applyBucketLifecycle(client: S3Client, bucket: string): Promise<'set' | 'unsupported'> {
  try {
    await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [abortIncompleteUploadsRule] } }));
    return 'set';
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotImplemented' || e.$metadata?.httpStatusCode === 501) return 'unsupported';
    throw error;
  }
}
