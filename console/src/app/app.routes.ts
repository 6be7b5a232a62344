import type { Routes } from '@angular/router';
import { landing, requireRoles } from './core/guards';

export const routes: Routes = [
  { path: 'login', title: 'Sign in · callstream', loadComponent: () => import('./login/login.component').then((m) => m.LoginComponent) },
  { path: 'desk', title: 'Desk · callstream', canActivate: [requireRoles('AGENT')], loadComponent: () => import('./agent/desk.component').then((m) => m.DeskComponent) },
  { path: 'floor', title: 'Floor · callstream', canActivate: [requireRoles('SUPERVISOR', 'ADMIN')], loadComponent: () => import('./supervisor/floor.component').then((m) => m.FloorComponent) },
  { path: 'callbacks', title: 'Callbacks · callstream', canActivate: [requireRoles('SUPERVISOR', 'ADMIN')], loadComponent: () => import('./supervisor/callbacks.component').then((m) => m.CallbacksComponent) },
  { path: 'voicemails', title: 'Voicemail · callstream', canActivate: [requireRoles('SUPERVISOR', 'ADMIN')], loadComponent: () => import('./supervisor/voicemails.component').then((m) => m.VoicemailsComponent) },
  { path: 'reports', title: 'Reports · callstream', canActivate: [requireRoles('SUPERVISOR', 'ADMIN', 'ANALYST')], loadComponent: () => import('./supervisor/reports.component').then((m) => m.ReportsComponent) },
  { path: 'history', title: 'Calls · callstream', canActivate: [requireRoles('SUPERVISOR', 'ADMIN', 'ANALYST')], loadComponent: () => import('./analyst/history.component').then((m) => m.HistoryComponent) },
  { path: 'calls/:callId', title: 'Call · callstream', canActivate: [requireRoles('SUPERVISOR', 'ADMIN', 'ANALYST')], loadComponent: () => import('./analyst/call-timeline.component').then((m) => m.CallTimelineComponent) },
  { path: 'events', title: 'Events · callstream', canActivate: [requireRoles('ANALYST', 'ADMIN')], loadComponent: () => import('./analyst/events.component').then((m) => m.EventsComponent) },
  { path: 'as-of', title: 'As of · callstream', canActivate: [requireRoles('ANALYST', 'SUPERVISOR', 'ADMIN')], loadComponent: () => import('./analyst/as-of.component').then((m) => m.AsOfComponent) },
  { path: '', pathMatch: 'full', canActivate: [landing], children: [] },
  { path: '**', canActivate: [landing], children: [] },
];
