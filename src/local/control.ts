/**
 * Requests to the emulator's own control routes (`/deliv/status`, `/deliv/tasks`,
 * `/deliv/backup`), which are deliv's, not AWS's: Step Functions calls go
 * through the SDK client of src/aws/clients.ts. node:http rather than fetch:
 * a process's first fetch loads undici, about 0.07 s more CPU than a node:http
 * request (bench/startup.ts's `deliv ls` pays it on every run), and node:http
 * is loaded anyway for the SDK's own requests.
 */
import http from 'node:http';

export interface ControlResponse {
  status: number;
  ok: boolean;
  /** The body read as JSON (undefined when it is not JSON). */
  body: unknown;
}

/** One request; rejects when the emulator cannot be reached or has not answered in `timeoutMs`. */
export function requestEmulator(url: string, options: { method?: 'GET' | 'POST'; timeoutMs: number }): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        clearTimeout(timer);
        const status = response.statusCode ?? 0;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        resolve({ status, ok: status >= 200 && status < 300, body });
      });
    });
    // The whole exchange, as fetch's AbortSignal.timeout bounded it, not only an idle socket.
    const timer = setTimeout(() => request.destroy(new Error(`no answer in ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}
