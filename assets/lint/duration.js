// ISO 8601 durations as the server accepts them (app/engine/timers.py: the same pattern, matched
// case-insensitively on the whole value, plus SpiffWorkflow's refusal to mix weeks with other
// units): PT8H, P2D, P1DT4H, PT30M, P1W, PT1.5S ...

const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$/i;

/** True when `value` is an ISO 8601 duration the engine can use as a due time. */
export function isIsoDuration(value) {
  if (typeof value !== 'string') return false;
  const m = DURATION.exec(value.trim());
  if (!m) return false;
  // Weeks may not be combined with any other unit (SpiffWorkflow raises on P1W2D).
  const weeks = Boolean(m[3]);
  const others = [m[1], m[2], m[4], m[6], m[7], m[8]].some(Boolean);
  return !(weeks && others);
}
