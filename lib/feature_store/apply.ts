/**
 * `apply`: validates a feature repo, compares it to the registry and records it, like `feast apply`.
 *
 * Steps: static checks of the definitions; each file source's schema is read (Parquet footer or CSV inference)
 * and every view is checked against it; Redshift sources are checked statically only for now. Only when every
 * check passed is the registry written (atomically, once), so a failing apply leaves it as it was.
 *
 * @example
 * ```ts
 * import { apply } from "./apply.ts";
 * import { creditRepo } from "../credit/repo.ts";
 * // const plan = await apply({ repo: creditRepo({ dataDir: "data/generated" }), config });
 * // Created entity dob_ssn
 * // Created feature view credit_history
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { type IoOptions, readSchema as ioReadSchema } from "../io/mod.ts";
import type { FeatureStoreConfig } from "./config.ts";
import { type FeatureRepo, repoProblems, sourceLocation } from "./definitions.ts";
import {
  applyPlan,
  describePlan,
  loadRegistry,
  type Plan,
  planApply,
  type Registry,
  type RegistryIo,
  saveRegistry,
} from "./registry.ts";
import { toS3Options } from "./config.ts";
import { validateViewSchema, ValidationError } from "./validate.ts";

/** Storage used by {@link apply}: the registry's bytes and the sources' schemas (defaults to `lib/io`). */
export interface ApplyIo extends Partial<RegistryIo> {
  readSchema?(uri: string, opts?: IoOptions): Promise<arrow.Schema>;
}

/** Options of {@link apply}. */
export interface ApplyOptions {
  repo: FeatureRepo;
  /** Only `project`, `registry` and `s3` are used. */
  config: Pick<FeatureStoreConfig, "project" | "registry"> & Partial<Pick<FeatureStoreConfig, "s3">>;
  /** Validate and print the plan without writing the registry. */
  dryRun?: boolean;
  /** Naive timestamps are errors instead of warnings. */
  strict?: boolean;
  /** Receives each output line (default `console.log`). */
  log?: (line: string) => void;
  /** Time recorded in the registry (default now). */
  now?: Date;
  io?: ApplyIo;
}

/** What {@link apply} did. */
export interface ApplyResult {
  plan: Plan;
  /** The registry after apply (as written, or as it would be for a dry run). */
  registry: Registry;
  /** Whether the registry file was written. */
  written: boolean;
  /** Naive-timestamp warnings and notes such as "validated statically only". */
  warnings: string[];
}

/**
 * Validates the repo against its sources, plans and (unless `dryRun`) writes the registry.
 * Throws a {@link ValidationError} listing every problem when any check fails; nothing is written then.
 *
 * @example
 * ```ts
 * // const { plan } = await apply({ repo, config: { project: "credit_scoring", registry: "data/registry.json" } });
 * // plan.items.map((i) => i.action) → ["created", "created", ...]
 * ```
 */
export async function apply(opts: ApplyOptions): Promise<ApplyResult> {
  const log = opts.log ?? console.log;
  const s3 = toS3Options(opts.config.s3);
  const readSchema = opts.io?.readSchema ?? ioReadSchema;
  const { errors, warnings } = await validateRepo(opts.repo, { readSchema, s3, strict: opts.strict });
  if (errors.length > 0) throw new ValidationError(errors);
  for (const warning of warnings) log(`Warning: ${warning}`);

  const registryIo = opts.io?.readBytes && opts.io.writeBytes && opts.io.exists ? opts.io as RegistryIo : undefined;
  const uri = opts.config.registry;
  const registry = await loadRegistry(uri, { project: opts.config.project, s3, io: registryIo });
  const plan = planApply(registry, opts.repo);
  for (const line of describePlan(plan)) log(line);
  let next = applyPlan(registry, plan, { now: opts.now });
  let written = false;
  if (opts.dryRun) log(`Dry run: registry "${uri}" not written`);
  else if (plan.hasChanges) {
    next = await saveRegistry(uri, next, { s3, io: registryIo, now: opts.now });
    written = true;
    log(`Registry "${uri}" updated (version ${next.version})`);
  } else log(`No changes; registry "${uri}" left as it is`);
  return { plan, registry: next, written, warnings };
}

/** Options of {@link validateRepo}. */
export interface ValidateRepoOptions {
  readSchema: (uri: string, opts?: IoOptions) => Promise<arrow.Schema>;
  s3?: IoOptions["s3"];
  strict?: boolean;
}

/**
 * Checks a repo statically and each view against its file source's schema (schemas read once per path).
 * Returns every error and warning; Redshift sources get a "validated statically only" warning.
 *
 * @example
 * ```ts
 * // const { errors } = await validateRepo(repo, { readSchema });
 * ```
 */
export async function validateRepo(
  repo: FeatureRepo,
  opts: ValidateRepoOptions,
): Promise<{ errors: string[]; warnings: string[] }> {
  const errors = repoProblems(repo);
  const warnings: string[] = [];
  const schemas = new Map<string, Promise<arrow.Schema>>();
  for (const view of repo.views) {
    const source = view.source;
    if (source.kind === "redshift_source") {
      warnings.push(
        `Feature view "${view.name}": Redshift source "${sourceLocation(source)}" validated statically only ` +
          `(columns not checked against the table)`,
      );
      continue;
    }
    if (!schemas.has(source.path)) schemas.set(source.path, opts.readSchema(source.path, { s3: opts.s3 }));
    let schema: arrow.Schema;
    try {
      schema = await schemas.get(source.path)!;
    } catch (err) {
      errors.push(`Feature view "${view.name}": cannot read the schema of source "${source.path}": ${message(err)}`);
      continue;
    }
    const result = validateViewSchema(view, schema, { strict: opts.strict });
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }
  return { errors, warnings };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
