export interface TestPostgres {
  url: string;
  port: number;
  binDir: string;
  createDatabase(name: string): string;
  stop(): void;
}
export function startPostgres(options?: { fast?: boolean }): Promise<TestPostgres>;
export function freePort(): Promise<number>;
