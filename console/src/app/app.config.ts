import { provideHttpClient, withFetch } from '@angular/common/http';
import { inject, provideAppInitializer, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { ApolloLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { provideApollo } from 'apollo-angular';
import { HttpLink } from 'apollo-angular/http';
import { routes } from './app.routes';
import { ConnectionService } from './core/connection.service';
import { RuntimeConfigService } from './core/runtime-config';
import { SessionStore } from './core/session-store';

const PUBLIC_OPERATIONS = new Set(['Login', 'RefreshSession']);

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withFetch()),
    provideAppInitializer(() => inject(RuntimeConfigService).load()),
    provideApollo(() => {
      const store = inject(SessionStore);
      const runtime = inject(RuntimeConfigService);
      const connection = inject(ConnectionService);
      const auth = new SetContextLink(async (prev, operation) => {
        // Public operations; sending (and first renewing) a token for the renewal itself would wait on itself.
        if (PUBLIC_OPERATIONS.has(operation.operationName ?? '')) return {};
        const token = await store.accessTokenProvider();
        return token ? { headers: { ...(prev['headers'] as Record<string, string> | undefined), Authorization: `Bearer ${token}` } } : {};
      });
      const http = ApolloLink.from([auth, inject(HttpLink).create({ uri: () => runtime.config().graphqlPath })]);
      const ws = new GraphQLWsLink(connection.client);
      return {
        link: ApolloLink.split((op) => op.operationType === 'subscription', ws, http),
        cache: new InMemoryCache(),
        defaultOptions: {
          query: { fetchPolicy: 'no-cache' },
          watchQuery: { fetchPolicy: 'no-cache' },
          mutate: { fetchPolicy: 'no-cache' },
        },
      };
    }),
  ],
};
