// Preloaded (`node --import`) into a child process whose clean exit a test checks: every timer of a second or more
// lasts a hundred times as long. A timer or pool left behind then keeps the process alive for many minutes instead of
// ~10 s, so "it exited by itself" is a condition to wait for, not a time to compare on a slow machine.
const setTimeoutAsGiven = globalThis.setTimeout;
globalThis.setTimeout = function stretchedSetTimeout(callback, ms, ...args) {
  return setTimeoutAsGiven(callback, typeof ms === 'number' && ms >= 1000 ? ms * 100 : ms, ...args);
};
