// Types for async-exit-hook 2.0.1 (no @types package is installed): only what embedded.ts uses.
declare module 'async-exit-hook' {
  interface AsyncExitHook {
    (hook: (done?: () => void) => void): void;
    /** Stops reacting to a process event it hooked ('beforeExit', 'SIGINT', …). */
    unhookEvent(event: string): void;
  }
  const asyncExitHook: AsyncExitHook;
  export default asyncExitHook;
}
