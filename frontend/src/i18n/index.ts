import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { LANGUAGES, resources, type Language } from './resources';

export { LANGUAGES, type Language };

/** The console's language store key (localStorage): the choice survives reloads and sign-outs. */
export const LANGUAGE_KEY = 'helpdesk.language';

const DAYJS_LOCALE: Record<Language, string> = { en: 'en', 'zh-CN': 'zh-cn' };

/** The supported language closest to what i18next resolved ("zh", "zh-Hans-CN" -> "zh-CN"). */
export function currentLanguage(lng: string | undefined = i18next.resolvedLanguage ?? i18next.language): Language {
  return lng?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function follow(lng: string | undefined): void {
  const language = currentLanguage(lng);
  dayjs.locale(DAYJS_LOCALE[language]);
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

i18next.on('languageChanged', follow);

void i18next
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources,
    supportedLngs: [...LANGUAGES],
    nonExplicitSupportedLngs: false,
    load: 'currentOnly',
    fallbackLng: { zh: ['zh-CN', 'en'], 'zh-Hans': ['zh-CN', 'en'], 'zh-TW': ['zh-CN', 'en'], default: ['en'] },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    detection: { order: ['localStorage', 'navigator'], lookupLocalStorage: LANGUAGE_KEY, caches: ['localStorage'] },
    react: { useSuspense: false },
    initAsync: false,
  });
follow(i18next.language);

export default i18next;
