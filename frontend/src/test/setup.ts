import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// waitFor/findBy give up after 1 s by default; antd forms on a busy 2-core CI machine can take longer to
// validate, submit and navigate. The per-test limit (testTimeout) still bounds a real hang.
configure({ asyncUtilTimeout: 5000 });

// jsdom lacks these; antd's responsive helpers need them.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}
if (!('ResizeObserver' in window)) {
  class ResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', { writable: true, value: ResizeObserver });
}
window.scrollTo = () => {};
Element.prototype.scrollIntoView = function scrollIntoView() {};

// jsdom has no layout, so antd's auto-sizing TextArea computes a NaN height; a browser never does.
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  const text = args.map(String).join(' ');
  if (text.includes('is an invalid value for the') && text.includes('NaN') && text.includes('height')) return;
  consoleError(...args);
};

// jsdom does not implement pseudo-element styles and says so on stderr; antd asks for them when measuring.
const computedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computedStyle(element);

// The console's texts come from i18n; component tests read them in English.
import i18n from '@/i18n';
void i18n.changeLanguage('en');
