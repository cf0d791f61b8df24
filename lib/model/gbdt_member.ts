/**
 * Gradient-boosted trees (gbdt.ts) as an ensemble member of a model: a {@link LogitMember} that scores encoded rows
 * without tfjs, trained in place by its model type and saved as one JSON file (`gbdt.json`) under the member's folder.
 *
 * @example
 * ```ts
 * import { GbdtMember, loadGbdtMember, saveGbdtMember } from "./gbdt_member.ts";
 * const member = new GbdtMember(20);
 * member.fit(train, validation, { seed: 42 });
 * await saveGbdtMember(member, "/tmp/model/network_0");
 * (await loadGbdtMember("/tmp/model/network_0")).logits(x, rows); // the same logits
 * ```
 * @module
 */
import { type IoOptions, joinUri, readJson, writeBytes } from "../io/mod.ts";
import type { Dataset } from "./tfjs_model.ts";
import { fitGbdt, type GbdtFit, type GbdtFitOptions, type GbdtJson, gbdtLogits } from "./gbdt.ts";
import type { LogitMember } from "./model_types.ts";

/** The file of a gbdt member under its folder. */
export const GBDT_FILE = "gbdt.json";

/** A gbdt ensemble member; untrained until {@link GbdtMember.fit} (or loaded). */
export class GbdtMember implements LogitMember {
  #model: GbdtJson | null;

  /** @param cols Encoded columns the member reads. */
  constructor(readonly cols: number, model: GbdtJson | null = null) {
    this.#model = model;
  }

  /** The trained trees (an error before training). */
  get model(): GbdtJson {
    if (!this.#model) throw new Error("The gbdt member is not trained");
    return this.#model;
  }

  /** Trains the member on encoded rows (replacing any trees it had). */
  fit(train: Dataset, validation: Dataset, opts: GbdtFitOptions = {}): GbdtFit {
    if (train.cols !== this.cols) throw new Error(`The gbdt member reads ${this.cols} columns; got "${train.cols}"`);
    const fit = fitGbdt(train, validation, opts);
    this.#model = fit.model;
    return fit;
  }

  /** Log-odds of encoded rows. */
  logits(x: Float32Array, rows: number): Float32Array {
    return gbdtLogits(this.model, x, rows);
  }

  /** Nothing to free (plain arrays). */
  dispose(): void {}
}

/**
 * Writes a trained member as `gbdt.json` under `dir` (local or s3://).
 *
 * @example
 * ```ts
 * await saveGbdtMember(member, joinUri(modelUri, "network_0"));
 * ```
 */
export async function saveGbdtMember(member: GbdtMember, dir: string, io: IoOptions = {}): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(member.model));
  await writeBytes(joinUri(dir, GBDT_FILE), bytes, { ...io, contentType: "application/json" });
}

/**
 * Reads a member written by {@link saveGbdtMember}; a file of another format is an error naming it.
 *
 * @example
 * ```ts
 * const member = await loadGbdtMember(joinUri(modelUri, "network_0"));
 * ```
 */
export async function loadGbdtMember(dir: string, io: IoOptions = {}): Promise<GbdtMember> {
  const uri = joinUri(dir, GBDT_FILE);
  const json = await readJson(uri, io) as GbdtJson;
  if (json?.format !== "credit-gbdt/1" || !Array.isArray(json.trees) || !Number.isInteger(json.cols)) {
    throw new Error(`"${uri}" is not a gbdt model (format "${json?.format}")`);
  }
  return new GbdtMember(json.cols, json);
}
