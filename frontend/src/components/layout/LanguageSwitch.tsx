import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES, type Language } from '@/i18n';

const NAMES: Record<Language, string> = { en: 'English', 'zh-CN': '简体中文' };

/** The console's language; antd's texts, dates and numbers follow it (see App). */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <Select<Language>
      aria-label={t('common.language')}
      data-testid="language-switch"
      size="small"
      variant="borderless"
      suffixIcon={<GlobalOutlined aria-hidden />}
      value={currentLanguage(i18n.resolvedLanguage)}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      popupMatchSelectWidth={false}
      style={{ width: compact ? 64 : 104 }}
      options={LANGUAGES.map((lng) => ({ value: lng, label: compact ? (lng === 'en' ? 'EN' : '中文') : NAMES[lng], title: NAMES[lng] }))}
    />
  );
}
