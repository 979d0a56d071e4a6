/**
 * Module resolution hook of a handler worker (registered with
 * `module.register`): a handler that imports the AWS SDK for JavaScript v3
 * without having installed it gets deliv's own copy, as AWS's Node.js Lambda
 * runtimes provide the SDK. Resolution from the handler's own folder is tried
 * first, so a project's `node_modules` always wins; only `@aws-sdk/*` falls
 * back, so a handler never sees deliv's other dependencies.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

/** The packages Lambda's Node.js runtimes provide. */
export const PROVIDED = /^@aws-sdk\/[^/]+/;

let fallbackParent: string | undefined;

export const initialize: InitializeHook<{ fallbackParent: string }> = (data) => {
  fallbackParent = data.fallbackParent;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (fallbackParent === undefined || !PROVIDED.test(specifier) || (error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    try {
      return await nextResolve(specifier, { ...context, parentURL: fallbackParent });
    } catch {
      // deliv does not ship this one either: the project's own error says what is missing.
      throw error;
    }
  }
};
