import { Alert, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '@/lib/api-client';
import { usePageTitle } from '@/lib/page-title';
import { useKbDocuments } from '../api/get-documents';
import { KbDocuments } from './KbDocuments';
import { KbImport } from './KbImport';
import { KbSearch } from './KbSearch';

export default function KbPage() {
  const { t } = useTranslation();
  usePageTitle(t('kb.title'));
  const probe = useKbDocuments(); // the first page: shared with the document list (same query key)
  const missing = isApiError(probe.error) && probe.error.routeMissing;
  return (
    <Flex vertical gap={16} style={{ minWidth: 0 }}>
      <Typography.Title level={2} style={{ margin: 0 }}>{t('kb.title')}</Typography.Title>
      {missing && <Alert type="info" showIcon title={t('kb.unavailableTitle')} description={t('kb.unavailableHint')} />}
      <KbImport />
      <KbSearch />
      <KbDocuments />
    </Flex>
  );
}
