import { lazy, Suspense, type ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import { PageSkeleton } from '@/components/states';
import { RequireAuth } from '@/features/auth/RequireAuth';
import { AppLayout } from './AppLayout';

// One chunk per page: the first screen loads only what it shows.
const LoginPage = lazy(() => import('@/features/auth/components/LoginPage'));
const HomePage = lazy(() => import('@/features/home/components/HomePage'));
const TicketListPage = lazy(() => import('@/features/tickets/components/TicketListPage'));
const NewTicketPage = lazy(() => import('@/features/tickets/components/NewTicketPage'));
const TicketDetailPage = lazy(() => import('@/features/tickets/components/TicketDetailPage'));
const KbPage = lazy(() => import('@/features/kb/components/KbPage'));
const UsersPage = lazy(() => import('@/features/users/components/UsersPage'));
const UserDetailPage = lazy(() => import('@/features/users/components/UserDetailPage'));
const DashboardPage = lazy(() => import('@/features/dashboard/components/DashboardPage'));
const NotFoundPage = lazy(() => import('./NotFoundPage'));

function page(element: ReactNode) {
  return <Suspense fallback={<PageSkeleton />}>{element}</Suspense>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={page(<LoginPage />)} />
      <Route element={<RequireAuth><AppLayout /></RequireAuth>}>
        <Route index element={page(<HomePage />)} />
        <Route path="tickets" element={page(<TicketListPage />)} />
        <Route path="tickets/new" element={page(<NewTicketPage />)} />
        <Route path="tickets/:ticketId" element={page(<TicketDetailPage />)} />
        <Route path="kb" element={page(<KbPage />)} />
        <Route path="users" element={page(<UsersPage />)} />
        <Route path="users/:userId" element={page(<UserDetailPage />)} />
        <Route path="dashboard" element={page(<DashboardPage />)} />
        <Route path="*" element={page(<NotFoundPage />)} />
      </Route>
    </Routes>
  );
}
