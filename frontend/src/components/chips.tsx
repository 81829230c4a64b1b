import { Space, Tag } from 'antd';
import type { TicketPriority, TicketStatus } from '@/api/types';
import { useTranslation } from 'react-i18next';

export const STATUS_COLORS: Record<TicketStatus, string> = {
  open: 'blue',
  in_progress: 'gold',
  pending: 'purple',
  resolved: 'green',
  closed: 'default',
};

export const PRIORITY_COLORS: Record<TicketPriority, string> = {
  low: 'default',
  medium: 'cyan',
  high: 'orange',
  urgent: 'red',
};

const TAG_PALETTE = ['magenta', 'volcano', 'orange', 'gold', 'lime', 'green', 'cyan', 'blue', 'geekblue', 'purple'];

/** The same tag always gets the same colour. */
export function tagColor(tag: string): string {
  let hash = 0;
  for (const ch of tag) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return TAG_PALETTE[hash % TAG_PALETTE.length] ?? 'blue';
}

export function StatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLORS[status]} data-testid="status-tag">{t(`common.status.${status}`)}</Tag>;
}

export function PriorityTag({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  return <Tag color={PRIORITY_COLORS[priority]} data-testid="priority-tag">{t(`common.priority.${priority}`)}</Tag>;
}

export function TagChips({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <Space size={[0, 4]} wrap>
      {tags.map((tag) => (
        <Tag key={tag} color={tagColor(tag)}>{tag}</Tag>
      ))}
    </Space>
  );
}
