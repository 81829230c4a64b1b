import { Typography } from 'antd';
import type { ComponentProps, ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';

export interface MarkdownProps {
  children: string;
  /** How a link inside the text renders (e.g. citations); return undefined for the default link. */
  renderLink?: (href: string, children: ReactNode) => ReactNode | undefined;
  className?: string;
}

const SAFE_LINK = /^(https?:|mailto:|\/|#)/i;
/** Links inside running text are underlined: colour alone does not tell them apart (WCAG 1.4.1). */
export const UNDERLINED = { textDecoration: 'underline' } as const;

/**
 * Markdown from the knowledge base or the copilot, rendered as React elements: raw HTML in the text is dropped
 * (never injected), images show only their alt text, and links open only web, mail, in-app or in-page targets
 * (external ones in a new tab without an opener).
 */
export function Markdown({ children, renderLink, className }: MarkdownProps) {
  const components: Components = {
    a: ({ href, children: text }) => {
      const target = typeof href === 'string' ? href : '';
      const custom = renderLink?.(target, text);
      if (custom !== undefined) return <>{custom}</>;
      if (!SAFE_LINK.test(target)) return <>{text}</>;
      const external = /^https?:/i.test(target);
      return <a href={target} style={UNDERLINED} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>{text}</a>;
    },
    img: ({ alt }) => (alt ? <>{alt}</> : null),
    p: ({ children: text }) => <Typography.Paragraph style={{ marginBottom: 8 }}>{text}</Typography.Paragraph>,
    pre: ({ children: code }) => <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: '0 0 8px' }}>{code}</pre>,
    table: ({ children: rows }) => <div style={{ overflowX: 'auto' }}><table>{rows}</table></div>,
  };
  return (
    <div className={className} style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
      <ReactMarkdown skipHtml components={components}>{children}</ReactMarkdown>
    </div>
  );
}

export type MarkdownComponentProps = ComponentProps<typeof Markdown>;
