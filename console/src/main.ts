import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';

bootstrapApplication(AppComponent, appConfig).catch((error: unknown) => {
  document.body.textContent = `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
});
