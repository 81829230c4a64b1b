import { Alert, Flex, Typography } from 'antd';
import { isApiError } from '@/lib/api-client';
import { useKbDocuments } from '../api/get-documents';
import { KbDocuments } from './KbDocuments';
import { KbImport } from './KbImport';
import { KbSearch } from './KbSearch';

export default function KbPage() {
  const documents = useKbDocuments();
  const missing = isApiError(documents.error) && documents.error.routeMissing;
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={2} style={{ margin: 0 }}>Knowledge base</Typography.Title>
      {missing && (
        <Alert
          type="info"
          showIcon
          title="The knowledge base is not available on this server yet"
          description="Importing and searching will work once the backend ships the /api/kb routes. Nothing here is lost meanwhile."
        />
      )}
      <KbImport />
      <KbSearch />
      <KbDocuments documents={documents} />
    </Flex>
  );
}
