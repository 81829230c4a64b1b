import type { Attachment, AttachmentUploadOut } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';

/** Promise an attachment on a ticket: the API answers a presigned form upload (type and size are fixed). */
export function startUpload(ticketId: number, file: File): Promise<AttachmentUploadOut> {
  return unwrap(apiClient().POST('/api/tickets/{ticket_id}/attachments', {
    params: { path: { ticket_id: ticketId } },
    body: { filename: file.name, content_type: (file.type || 'application/octet-stream') as never, size: file.size },
  }));
}

/** The form POST to storage, with upload progress (0-100); resolves once storage accepted the file. */
export function sendToStorage(upload: AttachmentUploadOut['upload'], file: File,
  onProgress: (percent: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', file);
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => (request.status < 300 ? resolve() : reject(new Error(`storage refused the file (${request.status})`)));
    request.onerror = () => reject(new Error('the upload failed'));
    signal?.addEventListener('abort', () => request.abort());
    request.send(form);
  });
}

/** Both steps: the attachment to name in the next reply's `attachment_ids`. */
export async function uploadAttachment(ticketId: number, file: File, onProgress: (percent: number) => void): Promise<Attachment> {
  const started = await startUpload(ticketId, file);
  await sendToStorage(started.upload, file, onProgress);
  onProgress(100);
  return started.attachment;
}
