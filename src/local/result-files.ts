/**
 * A Distributed Map's ResultWriter over local files, the counterpart of
 * items.ts: `s3:putObject` writes `<project>/<Bucket>/<Key>`, where an
 * ItemReader (or the user) reads it back. The layout is AWS's: under
 * `<Prefix>/<map run id>/`, one file per status with entries
 * (SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json), then manifest.json
 * naming them with their sizes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonObject, JsonValue } from '../asl/types.js';
import { StatesErrors } from '../asl/errors.js';
import { resultKey } from '../engine/result-writer.js';
import { TaskFailure, type ResultWriteRequest } from '../engine/types.js';
import { insideProject, PathOutsideProject } from '../project/confine.js';

const STATUSES = ['SUCCEEDED', 'FAILED', 'PENDING'] as const;

function body(values: JsonValue[], outputType: 'JSON' | 'JSONL'): string {
  return outputType === 'JSONL' ? values.map((value) => `${JSON.stringify(value)}\n`).join('') : JSON.stringify(values);
}

export function writeResultFiles(root: string, request: ResultWriteRequest): JsonObject {
  if (!/s3:putObject$/.test(request.resource)) {
    throw new TaskFailure(StatesErrors.ResultWriterFailed, `deliv local writes Map Run results only through s3:putObject to local files, not ${request.resource}`);
  }
  const put = (key: string, text: string): number => {
    let file: string;
    try {
      file = insideProject(root, request.bucket, key);
    } catch (error) {
      if (error instanceof PathOutsideProject) throw new TaskFailure(StatesErrors.ResultWriterFailed, `deliv local writes S3 objects into the project folder only: ${error.message}`);
      throw error;
    }
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    } catch (error) {
      throw new TaskFailure(StatesErrors.ResultWriterFailed, `could not write s3://${request.bucket}/${key} to ${path.relative(root, file)}: ${(error as Error).message}`);
    }
    return Buffer.byteLength(text);
  };
  const resultFiles: Record<string, JsonValue> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  // One file per status: AWS splits a file only past 5 GB, which a local run does not reach.
  for (const status of STATUSES) {
    const values = request.files[status];
    if (values.length === 0) continue;
    const key = resultKey(request.prefix, request.mapRunArn, `${status}_0.json`);
    resultFiles[status] = [{ Key: key, Size: put(key, body(values, request.outputType)) }];
  }
  const manifestKey = resultKey(request.prefix, request.mapRunArn, 'manifest.json');
  put(manifestKey, JSON.stringify({ DestinationBucket: request.bucket, MapRunArn: request.mapRunArn, ResultFiles: resultFiles }));
  return { Bucket: request.bucket, Key: manifestKey };
}
