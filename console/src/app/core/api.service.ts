import { Injectable, inject } from '@angular/core';
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { Apollo } from 'apollo-angular';
import { Observable, firstValueFrom } from 'rxjs';
import { ApiError, toApiError } from './api-error';

/**
 * Apollo without its cache (every view is live, so a cached copy is only ever stale), returning
 * plain promises and observables and turning every failure into an ApiError with human text.
 */
@Injectable({ providedIn: 'root' })
export class RawApi {
  private readonly apollo = inject(Apollo);

  async query<T, V extends OperationVariables>(query: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    try {
      const result = await firstValueFrom(this.apollo.query<T, V>({ query, variables: variables as V, fetchPolicy: 'no-cache', errorPolicy: 'none' }));
      if (result.error) throw result.error;
      if (result.data === undefined) throw new Error('The server returned no data');
      return result.data as T;
    } catch (error) {
      throw toApiError(error);
    }
  }

  async mutate<T, V extends OperationVariables>(mutation: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    try {
      const result = await firstValueFrom(this.apollo.mutate<T, V>({ mutation, variables: variables as V, fetchPolicy: 'no-cache', errorPolicy: 'none' }));
      if (result.error) throw result.error;
      if (result.data === undefined || result.data === null) throw new Error('The server returned no data');
      return result.data as T;
    } catch (error) {
      throw toApiError(error);
    }
  }

  subscribe<T, V extends OperationVariables>(query: TypedDocumentNode<T, V>, variables?: V): Observable<T> {
    return new Observable<T>((subscriber) => {
      const sub = this.apollo.subscribe<T, V>({ query, variables: variables as V, fetchPolicy: 'no-cache', errorPolicy: 'none' }).subscribe({
        next: (result) => {
          if (result.error) subscriber.error(toApiError(result.error));
          else if (result.data) subscriber.next(result.data as T);
        },
        error: (error: unknown) => subscriber.error(toApiError(error)),
        complete: () => subscriber.complete(),
      });
      return () => sub.unsubscribe();
    });
  }
}

export { ApiError };
