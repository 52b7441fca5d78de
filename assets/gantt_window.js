// The window a Gantt chart opens on, and the factory's "today", both computed on the server
// (app/planning/windows.py: chart_window) and passed in the chart's data block:
//   window  {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "today": "YYYY-MM-DD"}
// The chart still covers every bar (the user scrolls or zooms out to the rest); it opens in the
// finest view whose columns fit the window into the box, scrolled to the window's first day.
// "Today" is the factory's date (config TIMEZONE), never the browser's clock: a browser in
// Los Angeles at 08:30 on the 28th sees the marker on the 1st when it is 00:30 in Shanghai.
import Gantt from 'frappe-gantt';

const DAY_MS = 24 * 60 * 60 * 1000;
// Column widths per view: the narrowest that still fits its header texts ("30"; "28 Feb - 6
// Mar"; "September") and the widest a window may stretch it to fill the box.
const WIDTHS = {
  Day: { max: 60, min: 22, days: 1 },
  Week: { max: 200, min: 84, days: 7 },
  Month: { max: 400, min: 72, days: 30.4 },
};
const PREDEFINED = { Day: Gantt.VIEW_MODE.DAY, Week: Gantt.VIEW_MODE.WEEK, Month: Gantt.VIEW_MODE.MONTH };

/** Days from a to b (local dates), as frappe-gantt's date_utils.diff counts them. */
function daysBetween(a, b) {
  return (a - b + (b.getTimezoneOffset() - a.getTimezoneOffset()) * 60000) / DAY_MS;
}

/** Months from b to a, as frappe-gantt's date_utils.diff counts them (its Month view). */
function monthsBetween(a, b) {
  let months = (a.getFullYear() - b.getFullYear()) * 12 + a.getMonth() - b.getMonth();
  months += a.getDate() / 31;
  if (a.getDate() < b.getDate()) months -= 1;
  return months;
}

/** The x position of `date` in the chart as drawn now (the way frappe-gantt places a bar). */
export function xOf(gantt, date) {
  const { unit, step, column_width: width } = gantt.config;
  const units =
    unit === 'month' ? monthsBetween(date, gantt.gantt_start) : daysBetween(date, gantt.gantt_start);
  return (units / step) * width;
}

/**
 * The view modes (copies of frappe-gantt's, with a column width each) that show `window`
 * within `boxWidth` pixels, and the one to open on: the finest whose columns fit the window
 * at their narrowest (else the coarsest offered).
 */
export function fitModes(names, window, boxWidth) {
  const days = window ? daysBetween(window.end, window.start) + 1 : 0;
  const width = boxWidth > 0 ? boxWidth : 800;
  let opening = null;
  const modes = names.map((name) => {
    const sizes = WIDTHS[name];
    const columns = days / sizes.days;
    let column = sizes.max;
    if (columns > 0) column = Math.max(sizes.min, Math.min(sizes.max, Math.floor(width / columns)));
    if (!opening && columns > 0 && columns * sizes.min <= width) opening = name;
    return { ...PREDEFINED[name], column_width: column };
  });
  return { modes, opening: opening || names[names.length - 1] };
}

/**
 * frappe-gantt, made to cover the window as well as the bars, to scroll to the window's first
 * day, and to draw "today" on the factory's date. Options it reads: og_window ({start, end,
 * today} as Dates), og_today_label.
 */
export class WindowedGantt extends Gantt {
  setup_gantt_dates(refresh) {
    super.setup_gantt_dates(refresh);
    const win = this.options.og_window;
    if (!win || refresh) return;
    const before = new Date(win.start);
    before.setDate(before.getDate() - 7);
    if (before < this.gantt_start) this.gantt_start = before;
    const after = new Date(win.end);
    after.setDate(after.getDate() + 7);
    if (after > this.gantt_end) this.gantt_end = after;
    this.gantt_start.setHours(0, 0, 0, 0);
  }

  set_scroll_position(date) {
    super.set_scroll_position(date);
    const win = this.options.og_window;
    if (!win) return;
    // frappe-gantt scrolls smoothly (and tests would race it): jump instead.
    const left = Math.max(0, xOf(this, win.start) - this.config.column_width / 6);
    this.$container.scrollTo({ left, behavior: 'instant' });
  }

  /** The window's first and last day in the box now: {start, end} in pixels. */
  og_window_pixels() {
    const win = this.options.og_window;
    const end = new Date(win.end);
    end.setDate(end.getDate() + 1);
    return { start: xOf(this, win.start), end: xOf(this, end) };
  }

  get_closest_date() {
    const win = this.options.og_window;
    if (!win) return super.get_closest_date();
    if (win.today < this.gantt_start || win.today > this.gantt_end) return null;
    return [win.today, null];
  }

  highlight_current() {
    const win = this.options.og_window;
    if (!win) return super.highlight_current();
    if (win.today < this.gantt_start || win.today > this.gantt_end) return null;
    // The middle of the factory's today: its column in the Day view, its part of a week or month.
    const noon = new Date(win.today);
    noon.setHours(12);
    const left = xOf(this, noon);
    const label = this.options.og_today_label || 'Today';
    const line = this.create_el({
      top: this.config.header_height,
      left,
      height: this.grid_height - this.config.header_height,
      classes: 'current-highlight og-today',
      append_to: this.$container,
    });
    line.dataset.today = win.todayText;
    line.setAttribute('role', 'img');
    line.setAttribute('aria-label', `${label} ${win.todayText}`);
    const tag = this.create_el({
      top: this.config.header_height - 18,
      left,
      classes: 'og-today-label',
      append_to: this.$header,
    });
    tag.textContent = label;
    tag.title = win.todayText;
    this.$current_highlight = line;
    return { left };
  }
}

/** The window of a chart's data block as Dates, or null (none given or not valid). */
export function readWindow(data, parseDay) {
  const win = data.window;
  if (!win || typeof win !== 'object') return null;
  const start = parseDay(win.start, 'window start');
  const end = parseDay(win.end, 'window end');
  const today = parseDay(win.today, 'window today');
  if (end < start) throw new Error('data-gantt: the window ends before it starts');
  return { start, end, today, todayText: win.today };
}
