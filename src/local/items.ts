/**
 * A distributed Map's ItemReader over local files. `s3:getObject` reads
 * `<project>/<Bucket>/<Key>` (or `<project>/<Key>`) as JSON, JSONL or CSV;
 * `s3:listObjectsV2` lists the files under `<project>/<Bucket>/<Prefix>`.
 */
import { insideProject, PathOutsideProject } from '../project/confine.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../asl/types.js';
import { TaskFailure } from '../engine/types.js';
import { StatesErrors } from '../asl/errors.js';

export interface ItemReadRequest {
  resource: string;
  parameters: JsonValue;
  readerConfig: JsonValue;
  signal: AbortSignal;
}

interface ReaderConfig {
  InputType?: string;
  CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
  CSVHeaders?: string[];
  CSVDelimiter?: string;
  MaxItems?: number;
}

export async function readItems(root: string, request: ItemReadRequest): Promise<JsonValue[]> {
  const parameters = (request.parameters ?? {}) as { Bucket?: string; Key?: string; Prefix?: string };
  const config = (request.readerConfig ?? {}) as ReaderConfig;
  const bucket = parameters.Bucket ?? '';
  let items: JsonValue[];
  if (/s3:listObjectsV2$/.test(request.resource)) {
    items = listObjects(root, bucket, parameters.Prefix ?? '');
  } else if (/s3:getObject$/.test(request.resource)) {
    const file = locate(root, bucket, parameters.Key ?? '');
    const text = readFileSync(file, 'utf8');
    items = parseItems(text, config, path.relative(root, file));
  } else {
    throw new TaskFailure(StatesErrors.ItemReaderFailed, `deliv local reads items only through s3:getObject and s3:listObjectsV2 over local files, not ${request.resource}`);
  }
  const max = Number(config.MaxItems ?? 0);
  return max > 0 ? items.slice(0, max) : items;
}

/** A bucket and key as a project path; one that would leave the project fails the reader, as AWS fails on a missing object. */
function projectPath(root: string, ...parts: string[]): string {
  try {
    return insideProject(root, ...parts);
  } catch (error) {
    if (error instanceof PathOutsideProject) throw new TaskFailure(StatesErrors.ItemReaderFailed, `deliv local reads S3 objects from the project folder only: ${error.message}`);
    throw error;
  }
}

function locate(root: string, bucket: string, key: string): string {
  const candidates = [projectPath(root, bucket, key), projectPath(root, key)];
  for (const file of candidates) {
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  throw new TaskFailure(
    StatesErrors.ItemReaderFailed,
    `S3 object s3://${bucket}/${key} is read from the project folder locally: put it at ${path.join(bucket, key)} or ${key} under ${root}`,
  );
}

function listObjects(root: string, bucket: string, prefix: string): JsonValue[] {
  const base = projectPath(root, bucket);
  if (!existsSync(base)) return [];
  const items: JsonValue[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      // A symbolic link inside the bucket folder may point anywhere: only what stays in the project is listed.
      if (entry.isSymbolicLink()) {
        try {
          projectPath(root, path.relative(root, full));
        } catch {
          continue;
        }
      }
      if (entry.isDirectory() || (entry.isSymbolicLink() && statSync(full).isDirectory())) walk(full);
      else {
        const key = path.relative(base, full).split(path.sep).join('/');
        if (!key.startsWith(prefix)) continue;
        const stat = statSync(full);
        items.push({ Etag: `"${Math.round(stat.mtimeMs).toString(16)}"`, Key: key, LastModified: stat.mtime.toISOString(), Size: stat.size, StorageClass: 'STANDARD' });
      }
    }
  };
  walk(base);
  return items;
}

export function parseItems(text: string, config: ReaderConfig, name: string): JsonValue[] {
  const type = (config.InputType ?? 'JSON').toUpperCase();
  if (type === 'JSON') {
    const value = JSON.parse(text) as JsonValue;
    if (!Array.isArray(value)) throw new TaskFailure(StatesErrors.ItemReaderFailed, `${name}: a JSON item file must hold an array`);
    return value;
  }
  if (type === 'JSONL') {
    return text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as JsonValue);
  }
  if (type === 'CSV') {
    const rows = parseCsv(text, config.CSVDelimiter === 'SEMICOLON' ? ';' : config.CSVDelimiter === 'TAB' ? '\t' : config.CSVDelimiter === 'PIPE' ? '|' : ',');
    const headers = config.CSVHeaderLocation === 'GIVEN' ? (config.CSVHeaders ?? []) : (rows.shift() ?? []);
    // CSV values stay strings, as the distributed Map gives them.
    return rows.map((row) => Object.fromEntries(headers.map((header, i) => [header, row[i] ?? ''])));
  }
  throw new TaskFailure(StatesErrors.ItemReaderFailed, `${name}: InputType ${type} is not supported locally (use JSON, JSONL or CSV)`);
}

/** RFC 4180: quoted fields may hold delimiters, doubled quotes and newlines. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      row.push(field);
      field = '';
    }
    else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
