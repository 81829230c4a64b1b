import { MessageOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Flex, Grid, Skeleton, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { rememberTicketSession, ticketSession } from '../citations';

// Loaded when the drawer first opens: the ticket page does not wait for the conversation (and its Markdown renderer).
const CopilotConversation = lazy(() => import('./CopilotConversation').then((m) => ({ default: m.CopilotConversation })));

interface Props {
  ticketId: number;
  /** Put an answer into the ticket's reply box. */
  onInsert?: (text: string) => void;
}

/**
 * The ticket header's Copilot button and its drawer: a conversation about this ticket (its title, text and latest
 * messages are the context of every question). The drawer continues the tab's last conversation about the ticket.
 */
export function CopilotButton({ ticketId, onInsert }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const [open, setOpen] = useState(false);
  const [sessionId, setSessionId] = useState(() => ticketSession(ticketId));

  const choose = (id: string | undefined) => {
    setSessionId(id);
    rememberTicketSession(ticketId, id);
  };
  const insert = onInsert && ((text: string) => {
    onInsert(text);
    message.info(t('copilot.inserted'));
    if (screens.md === false) setOpen(false); // on a phone the drawer covers the reply box
  });

  return (
    <>
      <Button icon={<MessageOutlined />} onClick={() => setOpen(true)} data-testid="copilot-open" aria-haspopup="dialog">
        {t('copilot.button')}
      </Button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        placement="right"
        size={screens.md === false ? '100%' : 520}
        title={t('copilot.drawerTitle', { id: ticketId })}
        destroyOnHidden={false}
        extra={
          <Button size="small" icon={<PlusOutlined />} onClick={() => choose(undefined)} disabled={!sessionId} data-testid="copilot-new">
            {t('copilot.new')}
          </Button>
        }
        data-testid="copilot-drawer"
      >
        <Flex vertical gap={8}>
          <Suspense fallback={<Skeleton active paragraph={{ rows: 4 }} />}>
            <CopilotConversation sessionId={sessionId} ticketId={ticketId} onSessionCreated={choose} onInsert={insert} listHeight="calc(100vh - 300px)" />
          </Suspense>
          <Typography.Text style={{ fontSize: 12 }}>
            <Link to={sessionId ? `/copilot/${sessionId}` : '/copilot'}>{t('copilot.allConversations')}</Link>
          </Typography.Text>
        </Flex>
      </Drawer>
    </>
  );
}
