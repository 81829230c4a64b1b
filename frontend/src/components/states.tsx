import { Alert, Button, Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError, isApiError } from '@/lib/api-client';

/** An error box that says what happened and offers the next step. */
export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? (isApiError(error) && error.status === 404 ? t('common.states.notFound') : t('common.states.couldNotLoad'))}
      description={describeError(error)}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t('common.states.tryAgain')}</Button> : undefined}
    />
  );
}

export function NotFoundState({ what, action }: { what: string; action?: ReactNode }) {
  const { t } = useTranslation();
  return <Result status="404" title={t('common.states.whatNotFound', { what })} subTitle={t('common.states.notFoundHint')} extra={action} />;
}

export function EmptyState({ description, action }: { description: ReactNode; action?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description}>
      {action}
    </Empty>
  );
}

export function PageSkeleton({ rows = 6 }: { rows?: number }) {
  return <Skeleton active paragraph={{ rows }} />;
}
