import {
  ClockCircleOutlined,
  EditOutlined,
  ExclamationCircleOutlined,
  LockOutlined,
  MergeCellsOutlined,
  MessageOutlined,
  PlusCircleOutlined,
  RobotOutlined,
  StarOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { Button, Flex, Skeleton, Tag, Timeline, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useEvents } from '@/api/tickets/get-events';
import { describeEvents, type NameOf, type TimelineKind } from '../timeline';

const LOOK: Record<TimelineKind, { color: string; icon: React.ReactNode; tag?: string }> = {
  created: { color: 'blue', icon: <PlusCircleOutlined /> },
  change: { color: 'gray', icon: <EditOutlined /> },
  reply: { color: 'blue', icon: <MessageOutlined /> },
  note: { color: 'gold', icon: <LockOutlined />, tag: 'Internal' },
  ai: { color: 'purple', icon: <RobotOutlined />, tag: 'AI' },
  sla_risk: { color: 'orange', icon: <WarningOutlined />, tag: 'SLA' },
  sla_breach: { color: 'red', icon: <ExclamationCircleOutlined />, tag: 'SLA' },
  merge: { color: 'cyan', icon: <MergeCellsOutlined />, tag: 'Merge' },
  rating: { color: 'green', icon: <StarOutlined />, tag: 'CSAT' },
  other: { color: 'gray', icon: <ClockCircleOutlined /> },
};

/** The ticket's audit trail: every change with who and when; AI, SLA, merge and rating entries stand out. */
export function TicketTimeline({ ticketId, nameOf }: { ticketId: number; nameOf: NameOf }) {
  const events = useEvents(ticketId);
  if (events.isLoading) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (events.isError) return <ErrorState error={events.error} onRetry={() => void events.refetch()} title="Could not load the history" />;
  const entries = describeEvents(events.data?.pages.flatMap((page) => page.items) ?? [], nameOf);
  if (entries.length === 0) return <EmptyState description="No history yet." />;
  return (
    <Flex vertical gap={8} data-testid="timeline">
      <Timeline
        items={entries.map((entry) => {
          const look = LOOK[entry.kind];
          return {
            key: entry.key,
            color: look.color,
            icon: look.icon,
            content: (
              <div data-testid="timeline-entry" data-kind={entry.kind}>
                <Flex gap={6} wrap align="center">
                  {look.tag && <Tag color={look.color === 'gray' ? 'default' : look.color} style={{ marginInlineEnd: 0 }}>{look.tag}</Tag>}
                  <Typography.Text strong>{entry.actor}</Typography.Text>
                  <Typography.Text>
                    {entry.title}
                    {entry.ticketLink && <> · <Link to={`/tickets/${entry.ticketLink}`}>open #{entry.ticketLink}</Link></>}
                  </Typography.Text>
                </Flex>
                {entry.changes.length > 0 && (
                  <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }}>
                    {entry.changes.map((change) => (
                      <li key={change.field}>
                        <Typography.Text type="secondary">{change.label}: </Typography.Text>
                        {change.old && <><Typography.Text delete type="secondary">{change.old}</Typography.Text> → </>}
                        <Typography.Text>{change.new}</Typography.Text>
                      </li>
                    ))}
                  </ul>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }} title={formatDateTime(entry.at)}>
                  {formatRelative(entry.at)} · {formatDateTime(entry.at)}
                </Typography.Text>
              </div>
            ),
          };
        })}
      />
      {events.hasNextPage && (
        <Button onClick={() => void events.fetchNextPage()} loading={events.isFetchingNextPage}>Load more history</Button>
      )}
    </Flex>
  );
}
