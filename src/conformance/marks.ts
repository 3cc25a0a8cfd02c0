/**
 * How the checker marks what it creates in a helpdesk, so an operator can find it and clean up:
 * titles start with "[finch check]", users and conversations carry the attributes
 * `finch_check: true` and `finch_check_run: <run id>`, and object_ids start with
 * `finch-check-<run id>`.
 */
import { randomBytes } from 'node:crypto';
import type { Variant } from '../contract/models.js';

const TITLE_PREFIX = '[finch check]';

export interface RunMarks {
  runId: string;
  userName: string;
  attributes: { finch_check: true; finch_check_run: string };
  objectIdPrefix: string;
  title(variant: Variant): string;
  email(variant: Variant): string;
  unknownId(kind: string): string;
}

export function runMarks(runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`): RunMarks {
  return {
    runId,
    userName: `Finch check ${runId}`,
    attributes: { finch_check: true, finch_check_run: runId },
    objectIdPrefix: `finch-check-${runId}`,
    title: (variant) => `${TITLE_PREFIX} ${runId} ${variant}`,
    email: (variant) => `finch-check+${runId}-${variant}@example.com`,
    // Well-formed ids that no helpdesk has issued.
    unknownId: (kind) => `finch-check-${runId}-no-such-${kind}`,
  };
}
