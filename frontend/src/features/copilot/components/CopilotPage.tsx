import { ArrowLeftOutlined, MessageOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Flex, Grid, Row, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import { usePageTitle } from '@/lib/page-title';
import { useCopilotSessions } from '../api/sessions';
import type { CopilotSession } from '../api/types';
import { CopilotConversation } from './CopilotConversation';

/** /copilot and /copilot/:sessionId: the agent's conversations and the one open. */
export default function CopilotPage() {
  const { t } = useTranslation();
  usePageTitle(t('copilot.title'));
  const { sessionId } = useParams();
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().md === false;
  const sessions = useCopilotSessions();
  const rows = sessions.data?.pages.flatMap((page) => page.items) ?? [];
  const current = rows.find((s) => s.id === sessionId);

  const list = (
    <Card
      title={t('copilot.sessions')}
      size="small"
      extra={<Button size="small" aria-label={t('copilot.refresh')} icon={<ReloadOutlined spin={sessions.isFetching} />} onClick={() => void sessions.refetch()} />}
    >
      {sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : rows.length === 0 && !sessions.isLoading ? (
        <EmptyState description={t('copilot.noSessions')} />
      ) : (
        <nav aria-label={t('copilot.sessions')}>
          <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="copilot-sessions">
            {rows.map((session) => <SessionRow key={session.id} session={session} selected={session.id === sessionId} />)}
          </ul>
        </nav>
      )}
      {sessions.hasNextPage && (
        <Button block style={{ marginTop: 8 }} loading={sessions.isFetchingNextPage} onClick={() => void sessions.fetchNextPage()}>
          {t('copilot.loadMore')}
        </Button>
      )}
    </Card>
  );

  const conversation = (
    <Card
      size="small"
      title={
        <Flex gap={8} align="center" style={{ minWidth: 0 }}>
          {phone && sessionId && (
            <Link to="/copilot" aria-label={t('copilot.back')}><ArrowLeftOutlined /></Link>
          )}
          <Typography.Text strong ellipsis style={{ minWidth: 0 }}>
            {sessionId ? current?.title ?? t('copilot.untitled') : t('copilot.newTitle')}
          </Typography.Text>
          {current?.ticket_id && <Link to={`/tickets/${current.ticket_id}`}><Tag>#{current.ticket_id}</Tag></Link>}
        </Flex>
      }
    >
      <CopilotConversation
        sessionId={sessionId}
        onSessionCreated={(id) => navigate(`/copilot/${id}`, { replace: true })}
        listHeight={phone ? '55vh' : 'calc(100vh - 330px)'}
      />
    </Card>
  );

  return (
    <Flex vertical gap={16} style={{ minWidth: 0 }}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}><MessageOutlined /> {t('copilot.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/copilot')} data-testid="copilot-page-new">
          {t('copilot.new')}
        </Button>
      </Flex>
      <Typography.Paragraph style={{ margin: 0, color: '#595959' }}>{t('copilot.intro')}</Typography.Paragraph>
      {phone ? (
        sessionId ? conversation : <>{conversation}{list}</>
      ) : (
        <Row gutter={16}>
          <Col md={9} lg={8} xl={7}>{list}</Col>
          <Col md={15} lg={16} xl={17}>{conversation}</Col>
        </Row>
      )}
    </Flex>
  );
}

function SessionRow({ session, selected }: { session: CopilotSession; selected: boolean }) {
  const { t } = useTranslation();
  return (
    <li style={{ borderBottom: '1px solid #f0f0f0' }}>
      <Link
        to={`/copilot/${session.id}`}
        aria-current={selected ? 'page' : undefined}
        style={{ display: 'block', padding: '8px 4px', background: selected ? '#e6f4ff' : undefined, color: 'inherit' }}
      >
        <Typography.Text strong ellipsis style={{ display: 'block' }}>{session.title ?? t('copilot.untitled')}</Typography.Text>
        <Flex gap={6} align="center" wrap style={{ fontSize: 12, color: '#595959' }}>
          {session.ticket_id && <span>{t('copilot.aboutTicket', { id: session.ticket_id })}</span>}
          <span>{formatDateTime(session.updated_at)}</span>
          <span>{t('copilot.messageCount', { count: session.message_count })}</span>
        </Flex>
      </Link>
    </li>
  );
}
