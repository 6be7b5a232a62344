import { DestroyRef, computed, effect, inject, signal, untracked, type Signal } from '@angular/core';
import type { Observable, Subscription } from 'rxjs';
import { ApiError } from './api-error';
import { ConnectionService } from './connection.service';
import { errorLine } from './errors';

export interface Live<T> {
  value: Signal<T | undefined>;
  /** The last load's failure, in words. */
  error: Signal<string | null>;
  loading: Signal<boolean>;
  /** Reads the whole view again. */
  reload(): Promise<void>;
  /** Replaces the view with a newer copy (an action's result). */
  set(value: T): void;
}

export interface LiveOptions<T, P> {
  /** Reads the whole view. */
  load: () => Promise<T>;
  /** Pushes from the server; each is applied with `apply`. */
  stream?: () => Observable<P>;
  apply?: (current: T | undefined, pushed: P) => T | undefined;
  /** Re-reads on this interval too (for views without a subscription). */
  pollMs?: number;
}

/**
 * A view that stays current: read once, then kept up to date by a subscription, and read again
 * after every reconnection (pushes sent while the socket was down are lost). Call it in an
 * injection context; it stops with the component.
 */
export function live<T, P = T>(options: LiveOptions<T, P>): Live<T> {
  const connection = inject(ConnectionService);
  const destroyRef = inject(DestroyRef);
  const value = signal<T | undefined>(undefined);
  const error = signal<string | null>(null);
  const loading = signal(false);
  let generation = 0;
  let subscription: Subscription | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let destroyed = false;

  const reload = async (): Promise<void> => {
    const mine = ++generation;
    loading.set(true);
    try {
      const loaded = await options.load();
      if (mine === generation && !destroyed) {
        value.set(loaded);
        error.set(null);
      }
    } catch (e) {
      if (mine === generation && !destroyed) error.set(e instanceof ApiError ? errorLine(e.human) : e instanceof Error ? e.message : String(e));
    } finally {
      if (mine === generation) loading.set(false);
    }
  };

  if (options.stream) {
    const apply = options.apply ?? ((_current: T | undefined, pushed: P) => pushed as unknown as T);
    subscription = options.stream().subscribe({
      next: (pushed) => {
        // A push is newer than any read still in flight: that read must not overwrite it.
        generation++;
        loading.set(false);
        value.set(apply(value(), pushed));
      },
      error: (e: unknown) => error.set(e instanceof ApiError ? errorLine(e.human) : String(e)),
    });
  }
  void reload();
  if (options.pollMs) timer = setInterval(() => void reload(), options.pollMs);

  const reconnects = connection.reconnects;
  let seen = untracked(reconnects);
  const ref = effect(() => {
    const n = reconnects();
    if (n !== seen) {
      seen = n;
      untracked(() => void reload());
    }
  });

  destroyRef.onDestroy(() => {
    destroyed = true;
    subscription?.unsubscribe();
    if (timer) clearInterval(timer);
    ref.destroy();
  });

  return {
    value: value.asReadonly(),
    error: error.asReadonly(),
    loading: computed(() => loading() && value() === undefined),
    reload,
    set: (v: T) => {
      generation++;
      value.set(v);
    },
  };
}

/** Replaces or adds an item of a list by id (a pushed queue or agent). */
export const upsertById = <T extends { id: string }>(list: readonly T[] | undefined, item: T): T[] => {
  const current = list ?? [];
  return current.some((x) => x.id === item.id) ? current.map((x) => (x.id === item.id ? item : x)) : [...current, item];
};
