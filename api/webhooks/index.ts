export * from './signature';
export * from './envelope';
export * from './dedupingAppender';
export * from './webhookIntake';
export * from './webhookRouter';
