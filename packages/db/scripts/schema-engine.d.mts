export const prismaDir: string;
export interface SchemaEngineHandle {
  free(): void;
}
export function schemaFile(provider: 'sqlite' | 'postgresql'): { path: string; content: string };
export function createSchemaEngine(provider: 'sqlite' | 'postgresql', adapterFactory: object): Promise<SchemaEngineHandle>;
export function diffDatabaseToSchema(engine: SchemaEngineHandle, provider: 'sqlite' | 'postgresql'): Promise<string>;
export function diffMigrationsToSchema(engine: SchemaEngineHandle, provider: 'sqlite' | 'postgresql'): Promise<string>;
