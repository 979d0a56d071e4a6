/**
 * A Distributed Map's ResultWriter, as AWS documents it ("ResultWriter (Map)"):
 * `Resource` + `Parameters` (JSONata: `Arguments`) export the Map Run's child
 * results to S3 as `<Prefix>/<map run id>/manifest.json` plus one file per
 * status (SUCCEEDED_n.json, FAILED_n.json, PENDING_n.json), and the Map's
 * result becomes `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`;
 * `WriterConfig` alone previews the formatted results as the Map's result.
 * The engine formats; its host writes the files (TaskRunner.writeResults).
 */
import type { JsonValue } from '../asl/types.js';
import { StatesErrors } from '../asl/errors.js';
import type { StateEnv, Template } from './io.js';
import { compileTemplate } from './io.js';
import type { MapRunRecord } from './types.js';

export type { MapRunRecord };

export type Transformation = 'NONE' | 'COMPACT' | 'FLATTEN';
export type OutputType = 'JSON' | 'JSONL';

export interface ResultFiles {
  SUCCEEDED: JsonValue[];
  FAILED: JsonValue[];
  PENDING: JsonValue[];
}

export interface CompiledResultWriter {
  /** Resource + Parameters given: the results are exported, not returned. */
  exports: boolean;
  resource?: string;
  parameters?: Template;
  transformation: Transformation;
  outputType: OutputType;
}

export function compileResultWriter(env: StateEnv, writer: JsonValue | undefined): CompiledResultWriter | undefined {
  if (writer === undefined || writer === null || typeof writer !== 'object' || Array.isArray(writer)) return undefined;
  const resource = typeof writer.Resource === 'string' ? writer.Resource : undefined;
  const config = writer.WriterConfig !== null && typeof writer.WriterConfig === 'object' && !Array.isArray(writer.WriterConfig) ? writer.WriterConfig : {};
  const exports = resource !== undefined;
  const parameters = compileTemplate(env, env.language === 'JSONata' ? 'ResultWriter.Arguments' : 'ResultWriter.Parameters', env.language === 'JSONata' ? writer.Arguments : writer.Parameters);
  const transformation = (['NONE', 'COMPACT', 'FLATTEN'] as const).find((name) => name === config.Transformation) ?? (exports ? 'NONE' : 'COMPACT');
  const outputType = config.OutputType === 'JSONL' ? 'JSONL' : 'JSON';
  return { exports, resource, parameters, transformation, outputType };
}

/** A child's value under a Transformation: a failed child's record stays whole ("equivalent to NONE", AWS's note). */
function formatted(record: MapRunRecord, transformation: Transformation): JsonValue[] {
  if (record.status !== 'SUCCEEDED' || transformation === 'NONE') return [record.record];
  const output = record.output ?? null;
  return transformation === 'FLATTEN' && Array.isArray(output) ? output : [output];
}

/** The records by result file: failed, timed-out and aborted children go to FAILED (AWS: FAILED_n.json). */
export function resultFiles(records: readonly MapRunRecord[], transformation: Transformation): ResultFiles {
  const files: ResultFiles = { SUCCEEDED: [], FAILED: [], PENDING: [] };
  for (const record of records) {
    const file = record.status === 'SUCCEEDED' ? files.SUCCEEDED : record.status === 'PENDING' ? files.PENDING : files.FAILED;
    file.push(...formatted(record, transformation));
  }
  return files;
}

/** WriterConfig alone: the formatted results, in item order, are the Map's result. */
export function previewResults(records: readonly MapRunRecord[], transformation: Transformation): JsonValue[] {
  return records.filter((record) => record.status !== 'PENDING').flatMap((record) => formatted(record, transformation));
}

/** Where a Map Run's results go: `<Prefix>/<the Map Run ARN's id>/<file>` (AWS: `csvProcessJobs/ad9b5f27-…/manifest.json`). */
export function resultKey(prefix: string, mapRunArn: string, file: string): string {
  const id = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
  const folder = prefix === '' ? id : `${prefix.endsWith('/') ? prefix : `${prefix}/`}${id}`;
  return `${folder}/${file}`;
}

/** Bucket and Prefix of the evaluated Parameters, or the States.ResultWriterFailed cause that says what is wrong. */
export function writerTarget(parameters: JsonValue): { bucket: string; prefix: string } | { error: string; cause: string } {
  const object = parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters) ? parameters : {};
  if (typeof object.Bucket !== 'string' || object.Bucket === '') return { error: StatesErrors.ResultWriterFailed, cause: 'ResultWriter Parameters must name a Bucket (a string)' };
  if (object.Prefix !== undefined && typeof object.Prefix !== 'string') return { error: StatesErrors.ResultWriterFailed, cause: 'ResultWriter Parameters Prefix must be a string' };
  return { bucket: object.Bucket, prefix: (object.Prefix as string | undefined) ?? '' };
}
