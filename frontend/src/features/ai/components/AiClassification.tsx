import { LoadingOutlined, RobotOutlined } from '@ant-design/icons';
import { Space, Tooltip, Typography } from 'antd';
import type { Ticket } from '@/api/types';
import { PriorityTag, TagChips } from '@/components/chips';
import { formatDateTime } from '@/lib/format';

/** The background classifier's result on a ticket, or a note that it is on its way. */
export function AiClassification({ ticket, waiting }: { ticket: Ticket; waiting: boolean }) {
  if (!ticket.ai_category && !ticket.ai_classified_at) {
    return waiting ? (
      <Typography.Text type="secondary" data-testid="ai-classification"><LoadingOutlined /> Classifying…</Typography.Text>
    ) : (
      <Typography.Text type="secondary" data-testid="ai-classification">Not classified</Typography.Text>
    );
  }
  const confidence = typeof ticket.ai_confidence === 'number' ? ` (${Math.round(ticket.ai_confidence * 100)}%)` : '';
  return (
    <Space wrap data-testid="ai-classification">
      <Tooltip title={ticket.ai_classified_at ? `Classified ${formatDateTime(ticket.ai_classified_at)}` : undefined}>
        <Typography.Text><RobotOutlined /> {ticket.ai_category ?? 'uncategorised'}{confidence}</Typography.Text>
      </Tooltip>
      {ticket.ai_priority && <Space size={4}><Typography.Text type="secondary">suggests</Typography.Text><PriorityTag priority={ticket.ai_priority} /></Space>}
      {ticket.ai_tags && ticket.ai_tags.length > 0 && <TagChips tags={ticket.ai_tags} />}
    </Space>
  );
}
