import { spawn } from 'node:child_process';
import { BIN } from './cli.js';

/** One exchange with a program on a terminal: wait until `expect` appears in its output, then type `send`. */
export interface PtyStep {
  expect: string;
  send: string;
}

export interface PtyResult {
  output: string;
  exitCode: number;
}

export const KEYS = { enter: '\r', space: ' ', down: '\u001b[B', ctrlC: '\u0003' } as const;

// python3's pty module gives the CLI a real terminal (isTTY, raw mode, Ctrl-C as a key),
// which a pipe cannot; python3 is on every CI image we use.
const DRIVER = String.raw`
import json, os, pty, select, sys, time
args, steps, timeout = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    # The terminal's size, as a terminal emulator sets it (what process.stdout.columns reads).
    import fcntl, struct, termios
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', int(os.environ['LINES']), int(os.environ['COLUMNS']), 0, 0))
    os.execvpe(args[0], args, os.environ)
out = b''
seen = 0
deadline = time.time() + timeout
def pump(wait):
    global out
    r, _, _ = select.select([fd], [], [], wait)
    if not r:
        return True
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        return False
    if not chunk:
        return False
    out += chunk
    return True
alive = True
for step in steps:
    while alive and step['expect'].encode() not in out[seen:] and time.time() < deadline:
        alive = pump(0.1)
    if step['expect'].encode() not in out[seen:]:
        break
    seen = out.index(step['expect'].encode(), seen) + len(step['expect'])
    time.sleep(0.15)
    os.write(fd, step['send'].encode())
while alive and time.time() < deadline:
    alive = pump(0.2)
    _, status = os.waitpid(pid, os.WNOHANG)
    if _ == pid:
        while pump(0.05):
            pass
        break
else:
    _, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stdout.write(json.dumps({'output': out.decode('utf8', 'replace'), 'exitCode': code}))
`;

/** Runs the built CLI on a pseudo-terminal (`columns` wide, 120 unless told) and answers its prompts step by step. */
export function runCliOnPty(args: string[], steps: PtyStep[], options: { cwd: string; timeoutMs?: number; columns?: number; env?: Record<string, string> }): Promise<PtyResult> {
  const payload = JSON.stringify([[process.execPath, BIN, ...args], steps, (options.timeoutMs ?? 30_000) / 1000]);
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', TERM: 'xterm', COLUMNS: String(options.columns ?? 120), LINES: '40', ...options.env };
    const child = spawn('python3', ['-c', DRIVER, payload], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout) as PtyResult);
      } catch {
        reject(new Error(`pty driver failed: ${stderr || stdout}`));
      }
    });
  });
}

/**
 * What a terminal `columns` wide shows once it has drawn `raw`: the lines of
 * the screen, with carriage returns, cursor moves and erasures applied and
 * long lines wrapped. Enough of a terminal to tell whether a spinner left
 * anything behind.
 */
export function renderScreen(raw: string, columns: number): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = () => (lines[row] ??= []);
  for (let index = 0; index < raw.length; index++) {
    const char = raw[index];
    if (char === '\u001b' && raw[index + 1] === '[') {
      // eslint-disable-next-line no-control-regex -- reading the terminal's own control sequences
      const match = /^\u001b\[([0-9;?]*)([A-Za-z])/.exec(raw.slice(index));
      if (!match) continue;
      index += match[0].length - 1;
      const n = Number(match[1] || 0);
      if (match[2] === 'A') row = Math.max(0, row - Math.max(1, n));
      else if (match[2] === 'G') col = Math.max(0, n - 1);
      else if (match[2] === 'K') lines[row] = n === 2 ? [] : line().slice(0, col);
      else if (match[2] === 'J') {
        lines.splice(row + 1);
        lines[row] = line().slice(0, col);
      }
      continue;
    }
    if (char === '\r') col = 0;
    else if (char === '\n') {
      row++;
      col = 0;
      line();
    } else {
      if (col >= columns) {
        row++;
        col = 0;
      }
      const current = line();
      while (current.length < col) current.push(' ');
      current[col++] = char;
    }
  }
  return lines.map((cells) => cells.join('').trimEnd());
}
