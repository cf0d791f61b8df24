/**
 * Command-line helpers shared by the tasks: arguments, progress, logging.
 * @module
 */
export * from "./args.ts";
export * from "./progress.ts";
export * from "./log.ts";
export * from "./suggest.ts";
