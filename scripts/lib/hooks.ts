/**
 * `node --import ./scripts/lib/hooks.ts`: lets Node load the Worker's
 * sources, whose relative imports name no extension (esbuild and Vite resolve
 * them; Node's ESM loader does not). Used by the scripts that read the API's
 * declarations (the OpenAPI generator).
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    if (!/^\.\.?\//.test(specifier) || /\.[cm]?[jt]s$|\.json$/.test(specifier)) return next(specifier, context);
    try {
      return next(`${specifier}.ts`, context);
    } catch {
      return next(`${specifier}/index.ts`, context);
    }
  },
});
