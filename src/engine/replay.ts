/**
 * Resume from a history prefix. The execution runs again from the start, but
 * every event it would emit that the prefix already holds is consumed instead
 * of appended: each thread looks for the recorded event that follows its own
 * previous one (same previousEventId, type, and state name or iteration
 * index), which stays unambiguous when Parallel branches and Map iterations
 * interleave. Recorded task results and state outputs are taken from the
 * prefix, so completed tasks never run twice and random or time-based values
 * come out as they were.
 *
 * Cost: resuming is linear in the prefix. Most events are followed by one to
 * three others, which a short scan tells apart; but the iterations of a Map
 * started together all follow the same event, and scanning them for each
 * iteration would be quadratic, so the followers of such an event are
 * indexed by that very key (once, on the first lookup) and found by a hash probe.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { detailsOf } from '../asl/history.js';

/** What tells apart the events that follow one event: a state's name, or a Map iteration's index. */
export interface ReplayMatch {
  name?: string;
  index?: number;
}

/** Above this many followers of one event, lookups go through a keyed index instead of a scan. */
const SCAN_LIMIT = 8;

/** Events of one key in recorded order; `next` skips those already consumed. */
interface Queue {
  events: HistoryEvent[];
  next: number;
}

/** The recorded events that follow one event. */
interface Followers {
  events: HistoryEvent[];
  /** How many of them are not consumed yet. */
  unused: number;
  byKey?: Map<string, Queue>;
}

export class Replay {
  private readonly byPrevious = new Map<number, Followers>();
  private readonly used = new Set<number>();
  readonly maxId: number;
  readonly first: HistoryEvent | undefined;

  constructor(events: readonly HistoryEvent[]) {
    let maxId = 0;
    for (const event of events) {
      const previous = event.previousEventId ?? 0;
      const followers = this.byPrevious.get(previous);
      if (followers) {
        followers.events.push(event);
        followers.unused += 1;
      } else this.byPrevious.set(previous, { events: [event], unused: 1 });
      maxId = Math.max(maxId, event.id ?? 0);
    }
    this.maxId = maxId;
    this.first = events[0];
  }

  /** Consumes the first recorded event following `previous` of that type (and name or index) not consumed yet. */
  take(previous: number, type: string, match?: ReplayMatch): HistoryEvent | undefined {
    const followers = this.byPrevious.get(previous);
    if (!followers || followers.unused === 0) return undefined;
    const event = followers.events.length <= SCAN_LIMIT ? this.scan(followers, type, match) : this.probe(followers, type, match);
    if (event === undefined) return undefined;
    this.used.add(event.id as number);
    followers.unused -= 1;
    return event;
  }

  private scan(followers: Followers, type: string, match: ReplayMatch | undefined): HistoryEvent | undefined {
    for (const event of followers.events) {
      if (event.type !== type || this.used.has(event.id as number)) continue;
      if (match && !matches(event, match)) continue;
      return event;
    }
    return undefined;
  }

  private probe(followers: Followers, type: string, match: ReplayMatch | undefined): HistoryEvent | undefined {
    followers.byKey ??= index(followers.events);
    const queue = followers.byKey.get(keyOf(type, match));
    if (!queue) return undefined;
    // An event sits under several keys: one consumed through another key is skipped here.
    while (queue.next < queue.events.length && this.used.has(queue.events[queue.next].id as number)) queue.next += 1;
    const event = queue.events[queue.next];
    if (event !== undefined) queue.next += 1;
    return event;
  }

  /** Whether some recorded event not yet consumed follows event `previous`. */
  hasAfter(previous: number): boolean {
    return (this.byPrevious.get(previous)?.unused ?? 0) > 0;
  }

  /** The recorded outcome of a task whose last consumed event is `previous`, if the prefix has it. */
  peek(previous: number, types: readonly string[]): HistoryEvent | undefined {
    const followers = this.byPrevious.get(previous);
    return followers?.events.find((event) => types.includes(event.type as string) && !this.used.has(event.id as number));
  }
}

function matches(event: HistoryEvent, match: ReplayMatch): boolean {
  const details = detailsOf(event);
  if (match.name !== undefined && details?.name !== match.name) return false;
  if (match.index !== undefined && details?.index !== match.index) return false;
  return true;
}

/** Each event under every key a lookup may use: its type alone, and with its name, its index, or both. */
function index(events: readonly HistoryEvent[]): Map<string, Queue> {
  const byKey = new Map<string, Queue>();
  const push = (key: string, event: HistoryEvent): void => {
    const queue = byKey.get(key);
    if (queue) queue.events.push(event);
    else byKey.set(key, { events: [event], next: 0 });
  };
  for (const event of events) {
    const type = event.type as string;
    const details = detailsOf(event);
    const name = typeof details?.name === 'string' ? details.name : undefined;
    const position = typeof details?.index === 'number' ? details.index : undefined;
    push(keyOf(type, undefined), event);
    if (name !== undefined) push(keyOf(type, { name }), event);
    if (position !== undefined) push(keyOf(type, { index: position }), event);
    if (name !== undefined && position !== undefined) push(keyOf(type, { name, index: position }), event);
  }
  return byKey;
}

function keyOf(type: string, match: ReplayMatch | undefined): string {
  return `${type} ${match?.name ?? ''} ${match?.index ?? ''}`;
}
