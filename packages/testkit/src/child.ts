import { type ChildProcess, spawn, spawnSync } from "node:child_process";

/**
 * Runs `script` (an ES module's source) in a new Node process with `args`,
 * and returns its exit status and output. The script resolves workspace
 * packages from `cwd`.
 */
export function runNode(
  script: string,
  args: string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `script` in a new Node process and resolves once it prints `ready` on stdout. */
export function startNode(script: string, args: string[], cwd: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, ...args], {
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready")) resolve(child);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`child exited with ${code} before ready: ${err}`)));
  });
}

/** Kills `child` with SIGKILL and waits for it to exit. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
