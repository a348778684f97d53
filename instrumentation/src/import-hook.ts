// The ESM side of patching: ES modules are only patchable through a loader hook that wraps them
// as they are imported (import-in-the-middle); CommonJS needs none (require-in-the-middle works
// without). Installed by register(), so both `--import .../register` and a programmatic
// register() followed by a dynamic `import()` of the app see `openai` patched. Only `openai`
// goes through the hook; every other module loads untouched.
import { register as registerModuleHooks } from 'node:module';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';

const HOOKED_MODULES = ['openai'];
let installed = false;

export function installImportHook(): void {
  if (installed) return;
  installed = true;
  if (supportsSyncHooks()) {
    registerSyncHooks({ include: HOOKED_MODULES });
  } else {
    // Node 22.15 to 22.22.2: the off-thread loader (module.registerHooks cannot run it there).
    registerModuleHooks('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: HOOKED_MODULES } });
  }
}
