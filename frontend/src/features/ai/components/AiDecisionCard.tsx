import { RobotOutlined } from '@ant-design/icons';
import { Card, Descriptions, Space, Tag, Typography } from 'antd';
import type { Ticket } from '@/api/types';
import { formatDateTime, formatRelative } from '@/lib/format';

const FEEDBACK: Record<string, { color: string; label: string }> = {
  helpful: { color: 'success', label: 'solved the problem (resolved by AI)' },
  not_helpful: { color: 'warning', label: 'still needs help (back to an agent)' },
};

/** The ticket page: what the AI first response decided (sent or declined, why, from which sources, how sure),
 * and what the requester said about the answer. */
export function AiDecisionCard({ ticket }: { ticket: Ticket }) {
  const decision = ticket.ai_response;
  return (
    <Card size="small" title={<Space><RobotOutlined /> AI first response</Space>} data-testid="ai-decision">
      {!decision ? (
        <Typography.Text type="secondary">No decision yet: the AI decides once the ticket is classified.</Typography.Text>
      ) : (
        <Descriptions column={1} size="small" items={[
          {
            key: 'decision',
            label: 'Decision',
            children: (
              <Space wrap>
                <Tag color={decision.decision === 'sent' ? 'blue' : 'default'} data-testid="ai-decision-tag">
                  {decision.decision === 'sent' ? 'Answer sent' : 'Declined'}
                </Tag>
                <Typography.Text data-testid="ai-decision-reason">{decision.reason}</Typography.Text>
              </Space>
            ),
          },
          { key: 'confidence', label: 'Confidence', children: `${Math.round(decision.confidence * 100)}%` },
          {
            key: 'sources',
            label: 'Sources',
            children: decision.sources.length === 0
              ? <Typography.Text type="secondary">none</Typography.Text>
              : <Space size={[4, 4]} wrap>{decision.sources.map((source) => <Tag key={source}>{source}</Tag>)}</Space>,
          },
          {
            key: 'decided',
            label: 'Decided',
            children: <span title={formatDateTime(decision.decided_at)}>{formatRelative(decision.decided_at)}</span>,
          },
          ...(decision.decision === 'sent' ? [{
            key: 'feedback',
            label: 'Requester',
            children: decision.feedback
              ? <Tag color={FEEDBACK[decision.feedback]?.color} data-testid="ai-feedback">{FEEDBACK[decision.feedback]?.label}</Tag>
              : <Typography.Text type="secondary">has not said whether it helped</Typography.Text>,
          }] : []),
        ]} />
      )}
    </Card>
  );
}
