import { SendOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Input, Skeleton, Typography } from 'antd';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '@/components/states';
import { describeError, isApiError } from '@/lib/api-client';
import { useAskCopilot, useCopilotSession, useCreateCopilotSession } from '../api/sessions';
import { CopilotMessage } from './CopilotMessage';

export const MAX_QUESTION_CHARS = 4000;

interface Props {
  /** The conversation to continue; none starts a new one with the first question. */
  sessionId?: string;
  /** The ticket in front of the agent: the context of every question. */
  ticketId?: number;
  onSessionCreated?: (sessionId: string) => void;
  onInsert?: (text: string) => void;
  /** Height of the scrolling message list. */
  listHeight?: string;
}

/** A conversation with the copilot: its messages (answers cite their sources) and the question box. */
export function CopilotConversation({ sessionId: chosen, ticketId, onSessionCreated, onInsert, listHeight = '60vh' }: Props) {
  const { t } = useTranslation();
  // A conversation this box started goes on even before (or without) the parent choosing it.
  const [started, setStarted] = useState<string | undefined>();
  const [lastChosen, setLastChosen] = useState(chosen);
  if (lastChosen !== chosen) {
    setLastChosen(chosen); // the parent chose another conversation (or a new one): forget the one started here
    setStarted(undefined);
  }
  const sessionId = chosen ?? started;
  const session = useCopilotSession(sessionId);
  const create = useCreateCopilotSession();
  const ask = useAskCopilot();
  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState<string | null>(null);
  const end = useRef<HTMLDivElement>(null);
  const messages = session.data?.messages ?? [];
  const busy = create.isPending || ask.isPending;

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, pending]);

  const send = async () => {
    const content = draft.trim();
    if (!content || busy) return;
    setPending(content);
    try {
      let id = sessionId;
      if (!id) {
        const created = await create.mutateAsync({ ticket_id: ticketId ?? null });
        id = created.id;
        setStarted(id);
        onSessionCreated?.(id);
      }
      await ask.mutateAsync({ sessionId: id, content, ticketId });
      setDraft('');
    } catch {
      // shown below from the mutation's error; the question stays in the box
    } finally {
      setPending(null);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const error = ask.error ?? create.error;
  const lost = sessionId && session.isError && isApiError(session.error) && session.error.status === 404;
  return (
    <Flex vertical gap={12} style={{ minWidth: 0 }}>
      <div
        role="log"
        aria-live="polite"
        aria-label={t('copilot.conversation')}
        data-testid="copilot-messages"
        style={{ maxHeight: listHeight, minHeight: 120, overflowY: 'auto', overflowX: 'hidden', minWidth: 0 }}
      >
        {sessionId && session.isLoading && <Skeleton active paragraph={{ rows: 4 }} />}
        {lost && <Alert type="warning" showIcon title={t('copilot.sessionGone')} />}
        {sessionId && session.isError && !lost && <ErrorState error={session.error} onRetry={() => void session.refetch()} />}
        {!sessionId && !pending && (
          <Typography.Paragraph style={{ color: '#595959' }}>
            {ticketId ? t('copilot.emptyTicket', { id: ticketId }) : t('copilot.empty')}
          </Typography.Paragraph>
        )}
        <Flex vertical gap={12}>
          {messages.map((message) => <CopilotMessage key={message.seq} message={message} onInsert={onInsert} />)}
          {pending && (
            <>
              <Flex justify="flex-end">
                <div style={{ padding: '8px 12px', borderRadius: 8, background: '#e6f4ff', maxWidth: '85%' }}>
                  <Typography.Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{pending}</Typography.Text>
                </div>
              </Flex>
              <div aria-busy="true" aria-label={t('copilot.thinking')}>
                <Typography.Text style={{ color: '#595959' }}>{t('copilot.thinking')}</Typography.Text>
                <Skeleton active title={false} paragraph={{ rows: 2 }} />
              </div>
            </>
          )}
        </Flex>
        <div ref={end} />
      </div>
      {error && !busy && (
        <Alert type="error" showIcon role="alert" title={t('copilot.askFailed')} description={describeError(error)} />
      )}
      <Flex gap={8} align="flex-end">
        <Input.TextArea
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          autoSize={{ minRows: 2, maxRows: 6 }}
          maxLength={MAX_QUESTION_CHARS}
          placeholder={t('copilot.placeholder')}
          aria-label={t('copilot.question')}
          data-testid="copilot-input"
          style={{ flex: 1, minWidth: 0 }}
        />
        <Button type="primary" icon={<SendOutlined />} onClick={() => void send()} loading={busy} disabled={!draft.trim()} data-testid="copilot-send">
          {t('copilot.ask')}
        </Button>
      </Flex>
      <Typography.Text style={{ fontSize: 12, color: '#595959' }}>{t('copilot.hint')}</Typography.Text>
    </Flex>
  );
}
