/**
 * ajv-formats' `addFormats` (date-time, uri, email…), typed for any Ajv instance. The package is
 * CommonJS: under NodeNext its default export arrives wrapped, so its declared type is wrong.
 */
import addFormatsModule from 'ajv-formats';

export const addFormats = addFormatsModule as unknown as <A extends object>(ajv: A) => A;
