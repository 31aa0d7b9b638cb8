import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * A presigned GET made fresh per click: short-lived, and it tells the browser to save
 * the file under its export name rather than display it.
 */
export function presignDownload(
  client: S3Client,
  params: { bucket: string; key: string; fileName: string; contentType: string; ttlSeconds: number },
): Promise<string> {
  const safeName = params.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  return getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: params.bucket,
      Key: params.key,
      ResponseContentDisposition: `attachment; filename="${safeName}"`,
      ResponseContentType: params.contentType,
    }),
    { expiresIn: params.ttlSeconds },
  );
}
