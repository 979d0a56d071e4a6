/**
 * Step Functions' service quotas that change what an execution does (AWS Step
 * Functions Developer Guide, "Step Functions service quotas"), in one place
 * for the engine, the emulator's API and the explainer.
 */

/** Maximum input or result size of a task, state or execution: 256 KiB of UTF-8. */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** Maximum number of events in one execution's history (Standard workflows). */
export const HISTORY_EVENT_LIMIT = 25_000;

/** Maximum duration of an Express execution: "Express Workflows can run for up to five minutes". */
export const EXPRESS_MAX_SECONDS = 300;

/** Whether a payload's JSON text is over the quota (UTF-8 bytes; short texts are not measured). */
export function overPayloadLimit(text: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most payloads are decided without encoding them.
  return text.length * 3 > PAYLOAD_LIMIT_BYTES && Buffer.byteLength(text, 'utf8') > PAYLOAD_LIMIT_BYTES;
}

/** AWS's cause when a state or task returns a result over the quota (recorded histories s083, s084). */
export function resultTooLargeCause(stateOrTask: string): string {
  return `The state/task '${stateOrTask}' returned a result with a size exceeding the maximum number of bytes service limit.`;
}
