import { expect } from 'vitest';
import { FormatError } from '../io/errors.js';

/** Runs `fn`, expecting a one-line FormatError; returns it for further checks. */
export function catchFormatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).not.toContain('\n');
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}
