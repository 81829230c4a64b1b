import { PaperClipOutlined } from '@ant-design/icons';
import { App, Button, Flex } from 'antd';
import { useState } from 'react';
import type { Attachment } from '@/api/types';
import { getAttachmentDownload } from '@/api/attachments/get-attachment';

/** Human-readable size: 1.2 MB, 340 kB, 12 B. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} B`;
}

/** The files of a message; each opens through a fresh presigned link. */
export function AttachmentList({ attachments }: { attachments: Attachment[] | undefined }) {
  const { message } = App.useApp();
  const [opening, setOpening] = useState<string | null>(null);
  if (!attachments || attachments.length === 0) return null;
  const open = async (item: Attachment) => {
    setOpening(item.id);
    try {
      const download = await getAttachmentDownload(item.id);
      window.open(download.url, '_blank', 'noopener');
    } catch {
      void message.error(`Could not open ${item.filename}`);
    } finally {
      setOpening(null);
    }
  };
  return (
    <Flex gap={8} wrap style={{ marginTop: 8 }} role="list" aria-label="Attachments" data-testid="attachments">
      {attachments.map((item) => (
        <Button key={item.id} role="listitem" size="small" icon={<PaperClipOutlined />} loading={opening === item.id}
          onClick={() => void open(item)} data-testid="attachment" style={{ maxWidth: '100%' }}>
          <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{item.filename}</span>
          <span style={{ color: '#595959', marginLeft: 4 }}>({formatSize(item.size)})</span>
        </Button>
      ))}
    </Flex>
  );
}
