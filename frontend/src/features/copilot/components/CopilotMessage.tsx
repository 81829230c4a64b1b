import { CopyOutlined, EnterOutlined, FileTextOutlined, ProfileOutlined, QuestionCircleOutlined, RobotOutlined } from '@ant-design/icons';
import { App, Button, Flex, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Markdown, UNDERLINED } from '@/components/Markdown';
import type { CopilotMessage as Message, CopilotSource } from '../api/types';
import { citationNumber, linkCitations, relevancePercent, replyText, sourceHref } from '../citations';

interface Props {
  message: Message;
  /** Put the answer (as plain reply text) into the ticket's reply box. */
  onInsert?: (text: string) => void;
}

const BUBBLE = { padding: '8px 12px', borderRadius: 8, minWidth: 0, maxWidth: '100%' } as const;

export function CopilotMessage({ message, onInsert }: Props) {
  if (message.role === 'user') {
    return (
      <Flex justify="flex-end" data-testid="copilot-question">
        <div style={{ ...BUBBLE, background: '#e6f4ff', maxWidth: '85%' }}>
          <Typography.Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{message.content}</Typography.Text>
        </div>
      </Flex>
    );
  }
  return <Answer message={message} onInsert={onInsert} />;
}

function Answer({ message, onInsert }: Props) {
  const { t } = useTranslation();
  const { message: toast } = App.useApp();
  const byNumber = new Map(message.sources.map((s) => [s.n, s]));
  const origin = message.answer_source ?? 'llm';
  const originTag = (
    <Tag icon={origin === 'llm' ? <RobotOutlined /> : origin === 'passages' ? <FileTextOutlined /> : <QuestionCircleOutlined />} data-testid="copilot-answer-source">
      {t(`copilot.origin.${origin}`)}
    </Tag>
  );
  const copy = () => {
    void navigator.clipboard?.writeText(replyText(message.content)).then(
      () => toast.success(t('copilot.copied')),
      () => toast.error(t('copilot.copyFailed')),
    );
  };
  return (
    <div style={{ ...BUBBLE, background: '#fafafa', border: '1px solid #f0f0f0' }} data-testid="copilot-answer">
      <Markdown
        renderLink={(href, text) => {
          const n = citationNumber(href);
          const source = n === undefined ? undefined : byNumber.get(n);
          if (!source) return undefined;
          return (
            <Link to={sourceHref(source)} style={UNDERLINED} title={source.title ?? source.ref} aria-label={t('copilot.citation', { n, title: source.title ?? source.ref })} data-testid="copilot-citation">
              {text}
            </Link>
          );
        }}
      >
        {linkCitations(message.content, message.sources)}
      </Markdown>
      {message.sources.length > 0 && <SourceList sources={message.sources} />}
      <Flex gap={8} align="center" wrap style={{ marginTop: 8 }}>
        {message.fallback_reason && origin !== 'llm'
          ? <Tooltip title={t('copilot.fallbackReason', { reason: message.fallback_reason })}>{originTag}</Tooltip>
          : originTag}
        <div style={{ flex: 1 }} />
        {origin !== 'none' && (
          <Button size="small" icon={<CopyOutlined />} onClick={copy}>{t('copilot.copy')}</Button>
        )}
        {onInsert && origin !== 'none' && (
          <Button size="small" icon={<EnterOutlined />} onClick={() => onInsert(replyText(message.content))} data-testid="copilot-insert">
            {t('copilot.insert')}
          </Button>
        )}
      </Flex>
    </div>
  );
}

function SourceList({ sources }: { sources: CopilotSource[] }) {
  const { t } = useTranslation();
  return (
    <div style={{ marginTop: 4 }}>
      <Typography.Text strong style={{ fontSize: 12 }}>{t('copilot.sources')}</Typography.Text>
      <ol style={{ margin: '4px 0 0', paddingInlineStart: 20 }} data-testid="copilot-sources">
        {sources.map((source) => (
          <li key={source.n} value={source.n} style={{ marginBottom: 2 }}>
            <Flex gap={6} align="center" wrap>
              {source.kind === 'ticket' ? <ProfileOutlined aria-hidden /> : <FileTextOutlined aria-hidden />}
              <Link to={sourceHref(source)} style={{ overflowWrap: 'anywhere' }}>{source.title ?? source.ref}</Link>
              <Tooltip title={t('copilot.relevanceHint')}>
                <Typography.Text style={{ fontSize: 12, color: '#595959' }}>
                  {t('copilot.relevance', { percent: relevancePercent(source.relevance) })}
                </Typography.Text>
              </Tooltip>
              <Typography.Text style={{ fontSize: 12, color: '#595959' }}>
                {t(source.kind === 'ticket' ? 'copilot.kind.ticket' : 'copilot.kind.kb')}{source.cited ? '' : ` · ${t('copilot.notCited')}`}
              </Typography.Text>
            </Flex>
          </li>
        ))}
      </ol>
    </div>
  );
}
