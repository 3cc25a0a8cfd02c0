/** The Fin Custom Helpdesk API contract: models, inputs, operations and errors, as TypeBox schemas. */
export * from './models.js';
export * from './requests.js';
export * from './operations.js';
export * from './problem.js';
export * from './oauth.js';
export * from './webhooks.js';
export * from './canned-replies.js';
export * from './files.js';
