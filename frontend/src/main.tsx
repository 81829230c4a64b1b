import '@/i18n';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadConfig } from '@/config';
import { App } from '@/app/App';
import { preloadRoute } from '@/app/routes';

const root = createRoot(document.getElementById('root')!);
preloadRoute(window.location.pathname);

// The API base URL comes from /config.json at run time, so one build serves every stage.
loadConfig()
  .then(() => {
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    root.render(
      <div role="alert" style={{ padding: 32, fontFamily: 'sans-serif' }}>
        <h1>The console could not start</h1>
        <p>{text}</p>
        <p>Check that config.json is deployed next to index.html, then reload the page.</p>
      </div>,
    );
  });
