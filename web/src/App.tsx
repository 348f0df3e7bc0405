import { Result, Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './auth/context';
import { MainLayout } from './layout/MainLayout';
import { firstAllowedPath } from './layout/menu';
import { LoginPage } from './pages/LoginPage';

const RegionsPage = lazy(() => import('./pages/RegionsPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const ResidentsPage = lazy(() => import('./pages/ResidentsPage'));
const BuildingsPage = lazy(() => import('./pages/BuildingsPage'));
const SpecialGroupsPage = lazy(() => import('./pages/SpecialGroupsPage'));
const OrganisationsPage = lazy(() => import('./pages/OrganisationsPage'));
const FacilitiesPage = lazy(() => import('./pages/FacilitiesPage'));
const ImportPage = lazy(() => import('./pages/ImportPage'));
const EvaluationPage = lazy(() => import('./pages/EvaluationPage'));
const GridEventsPage = lazy(() => import('./pages/grid/GridEventsPage'));
const GridDashboardPage = lazy(() => import('./pages/grid/GridDashboardPage'));
const GridKpiPage = lazy(() => import('./pages/grid/GridKpiPage'));
const GridSettingsPage = lazy(() => import('./pages/grid/GridSettingsPage'));
const DevicesPage = lazy(() => import('./pages/devices/DevicesPage'));
const AlarmsPage = lazy(() => import('./pages/devices/AlarmsPage'));
const DeviceMapPage = lazy(() => import('./pages/devices/DeviceMapPage'));
const DeviceRulesPage = lazy(() => import('./pages/devices/RulesPage'));
const MobileReportPage = lazy(() => import('./mobile/MobileReportPage'));
const MobileTrackPage = lazy(() => import('./mobile/MobileTrackPage'));
const MobileTasksPage = lazy(() => import('./mobile/MobileTasksPage'));
const VotesPage = lazy(() => import('./mobile/VotesPage'));
const SurveysPage = lazy(() => import('./mobile/SurveysPage'));
const FamilyAlarmsPage = lazy(() => import('./mobile/FamilyAlarmsPage'));
const MessagesPage = lazy(() => import('./mobile/MessagesPage'));
const VotePage = lazy(() => import('./mobile/VotePage'));
const DemocracyVotesPage = lazy(() => import('./pages/democracy/VotesPage'));
const VoteNoticePage = lazy(() => import('./pages/democracy/NoticePage'));
const ElectionsPage = lazy(() => import('./pages/democracy/ElectionsPage'));
const BoardPage = lazy(() => import('./mobile/BoardPage'));
const SupervisionPage = lazy(() => import('./pages/democracy/SupervisionPage'));
const ConsultationsPage = lazy(() => import('./pages/democracy/ConsultationsPage'));
const DecisionsPage = lazy(() => import('./pages/democracy/DecisionsPage'));

function FullPageSpin() {
  return (
    <div className="full-page-center">
      <Spin size="large" />
    </div>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { user, initializing } = useAuth();
  const location = useLocation();
  if (initializing) return <FullPageSpin />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useAuth();
  if (!can(permission)) return <Result status="403" title="无权访问" subTitle="当前账号没有访问此页面的权限。" />;
  return (
    <Suspense
      fallback={
        <div className="center-pad">
          <Spin />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

function Home() {
  const { user } = useAuth();
  const path = user ? firstAllowedPath(user.permissions) : null;
  if (path) return <Navigate to={path} replace />;
  return <Result status="info" title="暂无可用功能" subTitle="当前账号没有可以使用的管理功能，请联系管理员分配角色。" />;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        path="/m/report"
        element={
          <Suspense fallback={<FullPageSpin />}>
            <MobileReportPage />
          </Suspense>
        }
      />
      <Route
        path="/m/track"
        element={
          <Suspense fallback={<FullPageSpin />}>
            <MobileTrackPage />
          </Suspense>
        }
      />
      <Route
        path="/m/tasks"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <MobileTasksPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/m/messages"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <MessagesPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/m/family"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <FamilyAlarmsPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/m/votes"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <VotesPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/m/surveys"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <SurveysPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/m/votes/:id"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <VotePage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/m/board"
        element={
          <RequireAuth>
            <Suspense fallback={<FullPageSpin />}>
              <BoardPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        path="/democracy/votes/:id/notice"
        element={
          <RequireAuth>
            <RequirePermission permission="democracy.read">
              <VoteNoticePage />
            </RequirePermission>
          </RequireAuth>
        }
      />
      <Route
        element={
          <RequireAuth>
            <MainLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Home />} />
        <Route
          path="regions"
          element={
            <RequirePermission permission="regions.read">
              <RegionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="residents"
          element={
            <RequirePermission permission="registry.read">
              <ResidentsPage />
            </RequirePermission>
          }
        />
        <Route
          path="buildings"
          element={
            <RequirePermission permission="registry.read">
              <BuildingsPage />
            </RequirePermission>
          }
        />
        <Route
          path="special-groups"
          element={
            <RequirePermission permission="registry.read">
              <SpecialGroupsPage />
            </RequirePermission>
          }
        />
        <Route
          path="organisations"
          element={
            <RequirePermission permission="registry.read">
              <OrganisationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="facilities"
          element={
            <RequirePermission permission="registry.read">
              <FacilitiesPage />
            </RequirePermission>
          }
        />
        <Route
          path="imports"
          element={
            <RequirePermission permission="registry.import">
              <ImportPage />
            </RequirePermission>
          }
        />
        <Route
          path="evaluation"
          element={
            <RequirePermission permission="evaluation.read">
              <EvaluationPage />
            </RequirePermission>
          }
        />
        <Route
          path="grid/events"
          element={
            <RequirePermission permission="grid.read">
              <GridEventsPage />
            </RequirePermission>
          }
        />
        <Route
          path="grid/dashboard"
          element={
            <RequirePermission permission="grid.read">
              <GridDashboardPage />
            </RequirePermission>
          }
        />
        <Route
          path="grid/kpis"
          element={
            <RequirePermission permission="grid.read">
              <GridKpiPage />
            </RequirePermission>
          }
        />
        <Route
          path="grid/settings"
          element={
            <RequirePermission permission="grid.manage">
              <GridSettingsPage />
            </RequirePermission>
          }
        />
        <Route
          path="devices"
          element={
            <RequirePermission permission="devices.read">
              <DevicesPage />
            </RequirePermission>
          }
        />
        <Route
          path="devices/alarms"
          element={
            <RequirePermission permission="devices.read">
              <AlarmsPage />
            </RequirePermission>
          }
        />
        <Route
          path="devices/map"
          element={
            <RequirePermission permission="devices.read">
              <DeviceMapPage />
            </RequirePermission>
          }
        />
        <Route
          path="devices/rules"
          element={
            <RequirePermission permission="devices.read">
              <DeviceRulesPage />
            </RequirePermission>
          }
        />
        <Route
          path="democracy/votes"
          element={
            <RequirePermission permission="democracy.read">
              <DemocracyVotesPage />
            </RequirePermission>
          }
        />
        <Route
          path="democracy/elections"
          element={
            <RequirePermission permission="democracy.read">
              <ElectionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="democracy/consultations"
          element={
            <RequirePermission permission="democracy.read">
              <ConsultationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="democracy/decisions"
          element={
            <RequirePermission permission="democracy.read">
              <DecisionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="democracy/supervision"
          element={
            <RequirePermission permission="democracy.read">
              <SupervisionPage />
            </RequirePermission>
          }
        />
        <Route
          path="users"
          element={
            <RequirePermission permission="users.read">
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission permission="audit.read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
