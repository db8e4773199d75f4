// Runs a WASI preview1 command under Node.js's node:wasi, as the reference
// for wasmc's output: node node_wasi.mjs [--dir HOST::GUEST]... FILE.wasm [ARGS...]
// Exits with the program's exit code. Prints the wall time of compiling and
// running (not Node's start-up) to stderr as "node-wasi: N ms".
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env, exit, stderr } from 'node:process';

const preopens = {};
let i = 2;
for (; i < argv.length && argv[i] === '--dir'; i += 2) {
    const [host, guest] = argv[i + 1].split('::');
    preopens[guest ?? host] = host;
}
const file = argv[i];
const args = argv.slice(i);
const start = performance.now();
const wasi = new WASI({ version: 'preview1', args, env: {}, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
stderr.write(`node-wasi: ${Math.round(performance.now() - start)} ms\n`);
exit(code);
