import type { AttachmentDownload } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';

/** A short-lived presigned download link (asked for at click time: it expires after 5 minutes). */
export function getAttachmentDownload(attachmentId: string): Promise<AttachmentDownload> {
  return unwrap(apiClient().GET('/api/attachments/{attachment_id}', { params: { path: { attachment_id: attachmentId } } }));
}
