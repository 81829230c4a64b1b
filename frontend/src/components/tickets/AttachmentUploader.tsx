import { PaperClipOutlined } from '@ant-design/icons';
import { Button, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import type { Attachment } from '@/api/types';
import { uploadAttachment } from '@/api/attachments/upload-attachment';
import { ApiError } from '@/lib/api-client';

export const MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

interface Props {
  ticketId: number;
  /** The uploaded files (what the reply will reference). */
  value?: Attachment[];
  onChange?: (value: Attachment[]) => void;
}

/** Files for the next reply: each uploads straight to storage with a progress bar, then waits for the reply. */
export function AttachmentUploader({ ticketId, value = [], onChange }: Props) {
  const [files, setFiles] = useState<UploadFile[]>([]);
  const done = (uid: string, attachment: Attachment) => {
    setFiles((current) => current.map((f) => (f.uid === uid ? { ...f, status: 'done', percent: 100, response: attachment } : f)));
    onChange?.([...value, attachment]);
  };
  return (
    <Upload
      multiple
      fileList={files.length === 0 && value.length === 0 ? [] : files}
      beforeUpload={(file) => {
        if (file.size > MAX_ATTACHMENT_BYTES) {
          setFiles((current) => [...current, { uid: file.uid, name: file.name, status: 'error', response: 'larger than 15 MB' }]);
          return Upload.LIST_IGNORE;
        }
        return true;
      }}
      customRequest={({ file, onProgress, onSuccess, onError }) => {
        const raw = file as File & { uid: string };
        setFiles((current) => [...current, { uid: raw.uid, name: raw.name, status: 'uploading', percent: 0 }]);
        uploadAttachment(ticketId, raw, (percent) => {
          onProgress?.({ percent });
          setFiles((current) => current.map((f) => (f.uid === raw.uid ? { ...f, percent } : f)));
        }).then((attachment) => {
          onSuccess?.(attachment);
          done(raw.uid, attachment);
        }).catch((error: unknown) => {
          const reason = error instanceof ApiError ? error.message : error instanceof Error ? error.message : 'upload failed';
          onError?.(error instanceof Error ? error : new Error(reason));
          setFiles((current) => current.map((f) => (f.uid === raw.uid ? { ...f, status: 'error', response: reason } : f)));
        });
      }}
      onRemove={(file) => {
        setFiles((current) => current.filter((f) => f.uid !== file.uid));
        const attachment = file.response as Attachment | undefined;
        if (attachment?.id) onChange?.(value.filter((a) => a.id !== attachment.id));
      }}
      maxCount={MAX_ATTACHMENTS}
    >
      <Button icon={<PaperClipOutlined />} data-testid="attach-files">Attach files</Button>
    </Upload>
  );
}
