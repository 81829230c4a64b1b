import { lazy, Suspense, type ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import { PageSkeleton } from '@/components/states';
import { useAuth } from '@/lib/auth';
import { RequireAuth } from '@/lib/RequireAuth';
import { RequesterLayout } from '@/features/requester/components/RequesterLayout';
import { AppLayout } from './AppLayout';

// One chunk per page: the first screen loads only what it shows.
const loaders = {
  login: () => import('@/features/auth/components/LoginPage'),
  home: () => import('@/app/pages/HomePage'),
  tickets: () => import('@/features/tickets/components/TicketListPage'),
  newTicket: () => import('@/features/tickets/components/NewTicketPage'),
  ticket: () => import('@/app/pages/TicketDetailPage'),
  kb: () => import('@/features/kb/components/KbPage'),
  copilot: () => import('@/features/copilot/components/CopilotPage'),
  users: () => import('@/features/users/components/UsersPage'),
  user: () => import('@/features/users/components/UserDetailPage'),
  dashboard: () => import('@/features/dashboard/components/DashboardPage'),
  sla: () => import('@/features/sla/components/SlaPolicyPage'),
  webhooks: () => import('@/features/webhooks/components/WebhooksPage'),
  ai: () => import('@/features/ai/components/AiSettingsPage'),
  myTickets: () => import('@/features/requester/components/RequesterTicketsPage'),
  myTicket: () => import('@/features/requester/components/RequesterTicketPage'),
};

const LoginPage = lazy(loaders.login);
const HomePage = lazy(loaders.home);
const TicketListPage = lazy(loaders.tickets);
const NewTicketPage = lazy(loaders.newTicket);
const TicketDetailPage = lazy(loaders.ticket);
const KbPage = lazy(loaders.kb);
const CopilotPage = lazy(loaders.copilot);
const UsersPage = lazy(loaders.users);
const UserDetailPage = lazy(loaders.user);
const DashboardPage = lazy(loaders.dashboard);
const SlaPolicyPage = lazy(loaders.sla);
const WebhooksPage = lazy(loaders.webhooks);
const AiSettingsPage = lazy(loaders.ai);
const RequesterTicketsPage = lazy(loaders.myTickets);
const RequesterTicketPage = lazy(loaders.myTicket);
const NotFoundPage = lazy(() => import('./NotFoundPage'));

/** The loader of the page at `pathname`, if any. */
export function loaderFor(pathname: string): (() => Promise<unknown>) | undefined {
  const [first, second, third] = pathname.split('/').filter(Boolean);
  if (!first) return loaders.home;
  if (first === 'tickets') return second === 'new' ? loaders.newTicket : second ? loaders.ticket : loaders.tickets;
  if (first === 'users') return second && !third ? loaders.user : loaders.users;
  if (first === 'settings') return second === 'webhooks' ? loaders.webhooks : second === 'ai' ? loaders.ai : loaders.sla;
  return (loaders as Record<string, () => Promise<unknown>>)[first];
}

/**
 * Start downloading the first page's chunk at once, while config.json and the silent sign-in are still
 * in flight, instead of after them.
 */
export function preloadRoute(pathname: string): void {
  void loaderFor(pathname)?.().catch(() => undefined);
}

function page(element: ReactNode) {
  return <Suspense fallback={<PageSkeleton />}>{element}</Suspense>;
}

export function AppRoutes() {
  const { user } = useAuth();
  if (user?.role === 'requester') {
    // Requesters get their own small console: their tickets, the public thread, a reply box, the rating.
    return (
      <Routes>
        <Route path="/login" element={page(<LoginPage />)} />
        <Route element={<RequireAuth><RequesterLayout /></RequireAuth>}>
          <Route index element={page(<RequesterTicketsPage />)} />
          <Route path="tickets" element={page(<RequesterTicketsPage />)} />
          <Route path="tickets/:ticketId" element={page(<RequesterTicketPage />)} />
          <Route path="*" element={page(<NotFoundPage />)} />
        </Route>
      </Routes>
    );
  }
  return (
    <Routes>
      <Route path="/login" element={page(<LoginPage />)} />
      <Route element={<RequireAuth><AppLayout /></RequireAuth>}>
        <Route index element={page(<HomePage />)} />
        <Route path="tickets" element={page(<TicketListPage />)} />
        <Route path="tickets/new" element={page(<NewTicketPage />)} />
        <Route path="tickets/:ticketId" element={page(<TicketDetailPage />)} />
        <Route path="kb" element={page(<KbPage />)} />
        <Route path="copilot" element={page(<CopilotPage />)} />
        <Route path="copilot/:sessionId" element={page(<CopilotPage />)} />
        <Route path="users" element={page(<UsersPage />)} />
        <Route path="users/:userId" element={page(<UserDetailPage />)} />
        <Route path="dashboard" element={page(<DashboardPage />)} />
        <Route path="settings/sla" element={page(<SlaPolicyPage />)} />
        <Route path="settings/webhooks" element={page(<WebhooksPage />)} />
        <Route path="settings/ai" element={page(<AiSettingsPage />)} />
        <Route path="*" element={page(<NotFoundPage />)} />
      </Route>
    </Routes>
  );
}
