import { DestroyRef, Injectable, inject, signal } from '@angular/core';

export interface Shortcut {
  /** The key as KeyboardEvent.key reports it, compared case-insensitively ('a', 'Escape', '?'). */
  key: string;
  description: string;
  /** Shown in the help overlay under this heading. */
  group: string;
  enabled?: () => boolean;
  run: () => void;
  /** Left out of the help list (a family of keys the list shows as one line). */
  hidden?: boolean;
}

const typingIn = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(type);
};

/**
 * Single-key shortcuts for the desk (A answer, H hold, M mute, X hang up…). Keys are ignored while
 * typing in a field and when a modifier is held, so they never fight the browser or a form.
 */
@Injectable({ providedIn: 'root' })
export class ShortcutService {
  private readonly registered = signal<Shortcut[]>([]);
  readonly all = this.registered.asReadonly();
  readonly helpOpen = signal(false);

  constructor() {
    document.addEventListener('keydown', (event) => this.handle(event));
  }

  /** Registers shortcuts for the lifetime of the calling component. */
  register(shortcuts: Shortcut[], destroyRef = inject(DestroyRef)): void {
    this.registered.update((l) => [...l, ...shortcuts]);
    destroyRef.onDestroy(() => this.registered.update((l) => l.filter((s) => !shortcuts.includes(s))));
  }

  private handle(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.key === 'Escape' && this.helpOpen()) {
      this.helpOpen.set(false);
      return;
    }
    if (typingIn(event.target)) return;
    if (event.key === '?') {
      this.helpOpen.update((v) => !v);
      event.preventDefault();
      return;
    }
    const key = event.key.toLowerCase();
    const match = [...this.registered()].reverse().find((s) => s.key.toLowerCase() === key && (s.enabled?.() ?? true));
    if (!match) return;
    event.preventDefault();
    match.run();
  }
}
