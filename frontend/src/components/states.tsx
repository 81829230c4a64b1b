import { Alert, Button, Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { describeError, isApiError } from '@/lib/api-client';

/** An error box that says what happened and offers the next step. */
export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? (isApiError(error) && error.status === 404 ? 'Not found' : 'Could not load this')}
      description={describeError(error)}
      action={onRetry ? <Button size="small" onClick={onRetry}>Try again</Button> : undefined}
    />
  );
}

export function NotFoundState({ what, action }: { what: string; action?: ReactNode }) {
  return <Result status="404" title={`${what} not found`} subTitle="It may have been deleted, or the link is wrong." extra={action} />;
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
