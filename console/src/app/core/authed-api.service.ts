import { Injectable, inject } from '@angular/core';
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { Observable, defer, mergeMap, of, retry, throwError, timer } from 'rxjs';
import { ApiError } from './api-error';
import { RawApi } from './api.service';
import { SessionService } from './session.service';

/**
 * The API as views use it: an UNAUTHENTICATED answer renews the session once and repeats the
 * operation; when renewal is refused the console signs out. Live streams resubscribe after
 * network failures with backoff.
 */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly raw = inject(RawApi);
  private readonly session = inject(SessionService);

  query<T, V extends OperationVariables>(doc: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    return this.withSession(() => this.raw.query(doc, variables));
  }

  mutate<T, V extends OperationVariables>(doc: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    return this.withSession(() => this.raw.mutate(doc, variables));
  }

  /** A live stream: errors other than a lost session are retried forever, with backoff. */
  live<T, V extends OperationVariables>(doc: TypedDocumentNode<T, V>, variables?: V): Observable<T> {
    return defer(() => this.raw.subscribe(doc, variables)).pipe(
      retry({
        delay: (error: unknown, count) => {
          if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
            return defer(() => this.session.refresh()).pipe(
              retry({ count: 3, delay: (_e, n) => timer(1000 * n) }),
              // No session: it is over and expire() has already sent the user to the login page.
              mergeMap((renewed) => (renewed ? of(renewed) : throwError(() => error))),
            );
          }
          if (error instanceof ApiError && (error.code === 'FORBIDDEN' || error.code === 'GRAPHQL_VALIDATION_FAILED' || error.code === 'BAD_USER_INPUT')) {
            return throwError(() => error);
          }
          return timer(Math.min(15_000, 500 * 2 ** Math.min(count, 5)));
        },
      }),
    );
  }

  private async withSession<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') throw error;
      const renewed = await this.session.refresh().catch(() => null);
      if (!renewed) {
        this.session.expire(error.human.text);
        throw error;
      }
      return run();
    }
  }
}
