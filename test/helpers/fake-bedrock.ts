/**
 * A fake Amazon Bedrock Runtime on 127.0.0.1 for tests: it speaks the real
 * `Converse` (REST-JSON) and `ConverseStream` (application/vnd.amazon.eventstream,
 * frames encoded with the SDK's own codec) wire formats over HTTP/2 (the
 * Bedrock Runtime client's default handler is NodeHttp2Handler), so the real
 * `@aws-sdk/client-bedrock-runtime` reaches it through
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME, and it records every request it receives.
 */
import { createServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

export interface RecordedRequest {
  operation: 'converse' | 'converse-stream';
  modelId: string;
  body: {
    system?: Array<{ text?: string }>;
    messages?: Array<{ role: string; content: Array<{ text?: string }> }>;
    inferenceConfig?: { maxTokens?: number; temperature?: number };
  };
  /** Everything received, for "this never reached Bedrock" checks. */
  raw: string;
}

export type FakeReply =
  | { text: string; inputTokens?: number; outputTokens?: number; /** How the streamed text is cut into contentBlockDelta events. */ chunks?: number }
  | { error: 'AccessDeniedException' | 'ValidationException' | 'ThrottlingException' | 'ResourceNotFoundException' | 'InternalServerException'; message?: string };

/** Bedrock's own wording of these errors, as the service returns them. */
const ERRORS: Record<string, { status: number; message: (modelId: string) => string }> = {
  AccessDeniedException: { status: 403, message: () => "You don't have access to the model with the specified model ID." },
  ValidationException: {
    status: 400,
    message: (modelId) => `Invocation of model ID ${modelId} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
  },
  ThrottlingException: { status: 429, message: () => 'Too many requests, please wait before trying again.' },
  ResourceNotFoundException: { status: 404, message: () => 'Model not found.' },
  InternalServerException: { status: 500, message: () => 'The server encountered an internal error.' },
};

export interface FakeBedrock {
  endpoint: string;
  requests: RecordedRequest[];
  /** The reply to every following request. */
  reply(reply: FakeReply): void;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  (text: string) => new TextEncoder().encode(text),
);

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

function splitText(text: string, pieces: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const parts: string[] = [];
  for (let index = 0; index < text.length; index += size) parts.push(text.slice(index, index + size));
  return parts;
}

export async function startFakeBedrock(initial: FakeReply = { text: 'ok' }): Promise<FakeBedrock> {
  let current = initial;
  const requests: RecordedRequest[] = [];

  const handle = async (request: Http2ServerRequest, response: Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const match = request.url?.match(/^\/model\/([^/]+)\/(converse|converse-stream)$/);
    if (request.method !== 'POST' || !match) {
      response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
      response.end(JSON.stringify({ message: `no route for ${request.method} ${request.url}` }));
      return;
    }
    const modelId = decodeURIComponent(match[1]);
    const operation = match[2] as RecordedRequest['operation'];
    requests.push({ operation, modelId, body: JSON.parse(raw || '{}') as RecordedRequest['body'], raw });

    const reply = current;
    if ('error' in reply) {
      const spec = ERRORS[reply.error];
      response.writeHead(spec.status, {
        'content-type': 'application/json',
        'x-amzn-errortype': `${reply.error}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        'x-amzn-requestid': `fake-${requests.length}`,
      });
      response.end(JSON.stringify({ message: reply.message ?? spec.message(modelId) }));
      return;
    }
    const usage = { inputTokens: reply.inputTokens ?? 1843, outputTokens: reply.outputTokens ?? 187 };
    const totals = { ...usage, totalTokens: usage.inputTokens + usage.outputTokens };
    if (operation === 'converse') {
      response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': `fake-${requests.length}` });
      response.end(JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: reply.text }] } },
        stopReason: 'end_turn',
        usage: totals,
        metrics: { latencyMs: 12 },
      }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': `fake-${requests.length}` });
    response.write(eventFrame('messageStart', { role: 'assistant' }));
    for (const piece of splitText(reply.text, reply.chunks ?? 5)) {
      response.write(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }));
    }
    response.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
    response.write(eventFrame('messageStop', { stopReason: 'end_turn' }));
    response.end(eventFrame('metadata', { usage: totals, metrics: { latencyMs: 12 } }));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerException' });
      response.end(JSON.stringify({ message: String(error) }));
    });
  });
  // HTTP/2 sessions outlive requests: close them with the server so tests end promptly.
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    reply: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.close();
        server.close(() => resolve());
      }),
  };
}
