/** Argument handling shared by the scripts (`npm run token`, `export`, `import`). */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad arguments: the script prints the message and its usage, and exits with 2. */
export class UsageError extends Error {}

/**
 * A file name from the command line, relative to where the user ran the
 * command: npm runs scripts from the package root and keeps the caller's
 * directory in INIT_CWD.
 */
export function userPath(file: string): string {
  if (file === '') throw new UsageError('a file name must not be empty');
  return resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/** Runs a script's main(): usage errors exit 2 with the usage, other errors 1, with just the message. */
export async function run(usage: string, main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${usage}`);
      process.exitCode = 2;
      return;
    }
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}

/** Parses the command line; an unknown or malformed option prints the usage and exits with 2. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O, allowPositionals = false) {
  try {
    return parseArgs({ options, allowPositionals, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
