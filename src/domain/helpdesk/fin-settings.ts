/**
 * Where `cli/start.ts` finds the Fin settings report; the use cases of Fin's settings and
 * deliveries live in `fin/`, one per file. (A single re-export, not a barrel: nothing in `fin/`
 * imports this module.)
 */
export { finSettingsReport, type FinSettingsReport } from './fin/fin-settings-report.js';
