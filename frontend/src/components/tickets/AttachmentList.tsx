import { PaperClipOutlined } from '@ant-design/icons';
import { App, Button, Flex } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  const [opening, setOpening] = useState<string | null>(null);
  if (!attachments || attachments.length === 0) return null;
  const open = async (item: Attachment) => {
    setOpening(item.id);
    try {
      const download = await getAttachmentDownload(item.id);
      window.open(download.url, '_blank', 'noopener');
    } catch {
      void message.error(t('common.attachments.openFailed', { name: item.filename }));
    } finally {
      setOpening(null);
    }
  };
  return (
    <Flex gap={8} wrap style={{ marginTop: 8 }} role="list" aria-label={t('common.attachments.label')} data-testid="attachments">
      {attachments.map((item) => (
        <Button key={item.id} role="listitem" size="small" icon={<PaperClipOutlined />} loading={opening === item.id}
          onClick={() => void open(item)} data-testid="attachment" style={{ maxWidth: '100%' }}>
          <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{item.filename}</span>
          <span style={{ color: 'rgba(0, 0, 0, 0.65)', marginLeft: 4 }}>({formatSize(item.size)})</span>
        </Button>
      ))}
    </Flex>
  );
}
