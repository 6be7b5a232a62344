import { Injectable, signal } from '@angular/core';
import { ApiError } from './api-error';
import { errorLine } from './errors';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
}

/** Short messages in the corner (errors stay until dismissed or replaced, others fade). */
@Injectable({ providedIn: 'root' })
export class NotifyService {
  private seq = 0;
  private readonly list = signal<Toast[]>([]);
  readonly toasts = this.list.asReadonly();

  info(text: string): void {
    this.push('info', text, 4_000);
  }

  success(text: string): void {
    this.push('success', text, 3_000);
  }

  error(error: unknown, context?: string): void {
    const text = error instanceof ApiError ? errorLine(error.human) : error instanceof Error ? error.message : String(error);
    this.push('error', context ? `${context}: ${text}` : text, 10_000);
  }

  dismiss(id: number): void {
    this.list.update((l) => l.filter((t) => t.id !== id));
  }

  private push(kind: Toast['kind'], text: string, ttlMs: number): void {
    const id = ++this.seq;
    // The same message twice in a row replaces the first rather than stacking.
    this.list.update((l) => [...l.filter((t) => t.text !== text).slice(-3), { id, kind, text }]);
    setTimeout(() => this.dismiss(id), ttlMs);
  }
}
