import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { currentLanguage } from '@/i18n';
import { AuthProvider } from '@/lib/auth';
import { createQueryClient } from '@/lib/query-client';
import { AppRoutes } from './routes';

// Secondary text darkened from antd's default (#00000073), which fails WCAG AA contrast on white; the primary blue
// one step darker than antd's #1677ff, whose white button text and links (4.1:1) fail AA too (#0958d9: 6.2:1).
const THEME = { token: { colorPrimary: '#0958d9', colorLink: '#0958d9', colorTextSecondary: 'rgba(0, 0, 0, 0.65)', colorTextDescription: 'rgba(0, 0, 0, 0.65)' } };

export function App({ queryClient }: { queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  const { i18n } = useTranslation();
  const locale = currentLanguage(i18n.resolvedLanguage) === 'zh-CN' ? zhCN : enUS;
  return (
    <ConfigProvider locale={locale} theme={THEME}>
      <AntApp>
        <QueryClientProvider client={client}>
          <BrowserRouter>
            <AuthProvider>
              <AppRoutes />
            </AuthProvider>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
