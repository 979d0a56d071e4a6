/**
 * The longest the event loop went without running a 5 ms timer while `work`
 * ran: how long something held the thread. The gap still open when the work
 * ended counts too, since a thread held to the end never ran the timer at all.
 */
export async function longestTimerGap<T>(work: () => Promise<T>): Promise<{ value: T; longestMs: number }> {
  let longestMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    last = now;
  }, 5);
  try {
    const value = await work();
    longestMs = Math.max(longestMs, performance.now() - last);
    return { value, longestMs };
  } finally {
    clearInterval(ticker);
  }
}
