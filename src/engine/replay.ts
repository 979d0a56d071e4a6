/**
 * Resume from a history prefix. The execution runs again from the start, but
 * every event it would emit that the prefix already holds is consumed instead
 * of appended: each thread looks for the recorded event that follows its own
 * previous one (same previousEventId, type, and state name or iteration
 * index), which stays unambiguous when Parallel branches and Map iterations
 * interleave. Recorded task results and state outputs are taken from the
 * prefix, so completed tasks never run twice and random or time-based values
 * come out as they were.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { detailsOf } from '../asl/history.js';

export class Replay {
  private readonly byPrevious = new Map<number, HistoryEvent[]>();
  private readonly used = new Set<number>();
  readonly maxId: number;
  readonly first: HistoryEvent | undefined;

  constructor(events: readonly HistoryEvent[]) {
    let maxId = 0;
    for (const event of events) {
      const previous = event.previousEventId ?? 0;
      const list = this.byPrevious.get(previous);
      if (list) list.push(event);
      else this.byPrevious.set(previous, [event]);
      maxId = Math.max(maxId, event.id ?? 0);
    }
    this.maxId = maxId;
    this.first = events[0];
  }

  take(previous: number, type: string, match?: { name?: string; index?: number }): HistoryEvent | undefined {
    const candidates = this.byPrevious.get(previous);
    if (!candidates) return undefined;
    for (const event of candidates) {
      if (event.type !== type || this.used.has(event.id as number)) continue;
      if (match && !matches(event, match)) continue;
      this.used.add(event.id as number);
      return event;
    }
    return undefined;
  }

  /** Whether some recorded event not yet consumed follows event `previous`. */
  hasAfter(previous: number): boolean {
    const candidates = this.byPrevious.get(previous);
    return candidates !== undefined && candidates.some((event) => !this.used.has(event.id as number));
  }

  /** The recorded outcome of a task whose last consumed event is `previous`, if the prefix has it. */
  peek(previous: number, types: readonly string[]): HistoryEvent | undefined {
    const candidates = this.byPrevious.get(previous);
    return candidates?.find((event) => types.includes(event.type as string) && !this.used.has(event.id as number));
  }
}

function matches(event: HistoryEvent, match: { name?: string; index?: number }): boolean {
  const details = detailsOf(event);
  if (match.name !== undefined && details?.name !== match.name) return false;
  if (match.index !== undefined && details?.index !== match.index) return false;
  return true;
}
