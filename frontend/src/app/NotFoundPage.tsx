import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { usePageTitle } from '@/lib/page-title';

export default function NotFoundPage() {
  const { t } = useTranslation();
  usePageTitle(t('common.notFoundPage.title'));
  return (
    <Result
      status="404"
      title={t('common.notFoundPage.title')}
      subTitle={t('common.notFoundPage.hint')}
      extra={<Link to="/"><Button type="primary">{t('common.notFoundPage.action')}</Button></Link>}
    />
  );
}
