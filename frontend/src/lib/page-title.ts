import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** "<page> · Help desk" (or just "Help desk" while the page has no title yet). */
export function pageTitle(page: string | null | undefined, product: string): string {
  return page ? `${page} · ${product}` : product;
}

/**
 * Sets the browser tab's title while the page is shown: "#12 Refund not received · Help desk".
 * Pass undefined while the page's data is loading; the product name alone is shown meanwhile.
 */
export function usePageTitle(page: string | null | undefined): void {
  const { t } = useTranslation();
  const product = t('common.product');
  useEffect(() => {
    document.title = pageTitle(page, product);
  }, [page, product]);
}
