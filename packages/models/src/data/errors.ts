/** A problem with a data set directory, manifest or file; the message names the path. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
