// Runs a WASI preview1 command module under Node.js's V8 through node:wasi,
// the way `wasmc run` would: node node_wasi_runner.mjs PROG.wasm [ARGS...]
// Standard streams are inherited; the exit status is the guest's exit code.
// Extra node flags (e.g. --liftoff --no-wasm-tier-up for V8's baseline tier
// alone) go before the script name.
import { readFile } from 'node:fs/promises';
import { argv, env, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [path, ...args] = argv.slice(2);
if (!path) {
    console.error('usage: node node_wasi_runner.mjs PROG.wasm [ARGS...]');
    exit(2);
}
const wasi = new WASI({
    version: 'preview1',
    args: [path, ...args],
    env: {},
    preopens: {},
    returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
exit(code ?? 0);
