// Entry for app/static/dist/gantt.{js,css}: a read-only Gantt chart (frappe-gantt) of orders.
//   <div data-gantt data-label-day="日" data-label-week="周" data-label-month="月" data-error-message="…">
//     <script type="application/json">{"tasks": [...], "view_mode": "Day", "language": "zh"}</script>
//   </div>
// (app/templates/macros/gantt.html writes it.) The JSON data block (never executed, so the CSP
// allows it):
//   tasks       [{id, name, start, end, classes?, progress?, description?}]
//               start/end: "YYYY-MM-DD", the first and the last working day, both inclusive;
//               classes: CSS classes for the bar (og-late, og-rush, og-slipped); progress 0–100
//   view_mode   "Day" (default), "Week" or "Month"
//   view_modes  optional, e.g. ["Day", "Week", "Month"]: buttons above the chart switch between
//               them (labels from data-label-day / data-label-week / data-label-month)
//   language    "zh" or "en" (default): month names in the header
//   scroll_to   optional: "start" (default), "today", "end" or a "YYYY-MM-DD" date
//   window      optional {start, end, today}: the days the chart opens on and the factory's
//               today (assets/gantt_window.js); it then opens in the finest of `view_modes`
//               that fits the window into the box, scrolled to its start, with the today
//               marker on `today` (not on the browser's date), and view_mode/scroll_to are unused
//   labels      optional {"og-late": "late", "og-slipped": "slips", "og-rush": "rush",
//               "today": "Today"}: words added to a marked bar's label (not colour alone)
// An empty task list draws nothing (the text of data-empty-message, if given). When the chart
// is drawn the container gets data-gantt-ready="1" and data-gantt-view="<current view>".
import Gantt from 'frappe-gantt';

import './ordergate.css';
import './gantt.css';

import { fitModes, readWindow, WindowedGantt } from './gantt_window.js';
import { onContent, showError } from './mount.js';

const VIEW_MODES = ['Day', 'Week', 'Month'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The parsed JSON of the container's `<script type="application/json">` child. */
function readData(el) {
  const block = el.querySelector('script[type="application/json"]');
  if (!block) throw new Error('data-gantt: no <script type="application/json"> data block');
  const data = JSON.parse(block.textContent);
  if (!data || !Array.isArray(data.tasks)) throw new Error('data-gantt: "tasks" must be a list');
  return data;
}

/** Check a "YYYY-MM-DD" string and return it as a local Date (midnight). */
function parseDay(value, what) {
  const m = typeof value === 'string' && DATE.exec(value);
  const d = m && new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!d || d.getMonth() !== Number(m[2]) - 1 || d.getDate() !== Number(m[3])) {
    throw new Error(`data-gantt: ${what} is not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
  }
  return d;
}

/** Text for frappe-gantt's bar label, which it writes with innerHTML. */
function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

/**
 * frappe-gantt tasks from the JSON tasks, plus the CSS classes of each bar by (cleaned) id.
 * frappe-gantt treats a date-only `end` as inclusive (it adds 24 hours to an end at midnight),
 * so the last working day is passed unchanged and a one-day job is one Day column wide.
 */
function toTasks(items, labels) {
  const classesById = new Map();
  const tasks = items.map((item, i) => {
    const start = parseDay(item.start, `task ${i} start`);
    const end = parseDay(item.end, `task ${i} end`);
    if (end < start) throw new Error(`data-gantt: task ${i} ends before it starts`);
    // frappe-gantt uses the id in a class name and in querySelector: keep it selector-safe.
    let id = String(item.id ?? `task-${i}`).replace(/[^A-Za-z0-9_-]/g, '_') || `task-${i}`;
    while (classesById.has(id)) id = `${id}_${i}`;
    const classes = (Array.isArray(item.classes) ? item.classes : [])
      .map(String)
      .filter((c) => CLASS_NAME.test(c));
    classesById.set(id, classes);
    // The marks in words too, so a bar says what its colour says.
    const words = classes.map((c) => labels[c]).filter((w) => typeof w === 'string' && w);
    const label = words.length ? `${item.name ?? ''} — ${words.join(' / ')}` : String(item.name ?? '');
    const progress = Number(item.progress) || 0;
    return {
      id,
      name: escapeHtml(label),
      start: item.start,
      end: item.end,
      progress: Math.min(100, Math.max(0, progress)),
      // frappe-gantt takes one class here (it calls classList.add with it); the others are
      // added after each render (decorate below).
      custom_class: classes[0] || '',
      og: { name: label, description: item.description, start: item.start, end: item.end },
    };
  });
  return { tasks, classesById };
}

/** Popup with the plain texts (the default one writes them as HTML and in English). */
function popup(ctx) {
  const { og } = ctx.task;
  ctx.get_title().textContent = og.name;
  ctx.get_subtitle().textContent = og.description ? String(og.description) : '';
  ctx.get_details().textContent = og.start === og.end ? og.start : `${og.start} – ${og.end}`;
  // frappe-gantt places the popup below the click, which the chart box cuts off on the last
  // rows: once it is placed (right after this returns), move it up to fit inside the box.
  const wrapper = ctx.chart.$popup_wrapper;
  const box = ctx.chart.$container;
  queueMicrotask(() => {
    const overflow = wrapper.offsetTop + wrapper.offsetHeight - (box.clientHeight - 4);
    if (overflow > 0) wrapper.style.top = `${Math.max(0, wrapper.offsetTop - overflow)}px`;
  });
}

/** After each render: all classes on the bars, no grow-in animation (stable for tests). */
function decorate(gantt, classesById) {
  for (const bar of gantt.bars || []) {
    const classes = classesById.get(bar.task.id);
    if (classes && classes.length) bar.group.classList.add(...classes);
  }
  for (const anim of gantt.$svg.querySelectorAll('animate')) anim.remove();
}

function validLanguage(language) {
  if (typeof language !== 'string' || !language) return 'en';
  try {
    new Intl.DateTimeFormat(language);
    return language;
  } catch {
    return 'en';
  }
}

function scrollTarget(value) {
  if (value === 'today' || value === 'start' || value === 'end') return value;
  if (typeof value === 'string' && DATE.test(value)) return value;
  return 'start';
}

/** Buttons above the chart that switch between `modes`. */
function makeToolbar(el, modes, current, onSelect) {
  const bar = document.createElement('div');
  bar.className = 'og-gantt-views';
  bar.setAttribute('role', 'group');
  const buttons = modes.map((mode) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.view = mode;
    button.textContent = el.dataset[`label${mode}`] || mode;
    button.setAttribute('aria-pressed', String(mode === current));
    button.addEventListener('click', () => {
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      onSelect(mode);
    });
    bar.append(button);
    return button;
  });
  return bar;
}

/** The labels map of the data block (words for the bar classes and the today marker). */
function readLabels(data) {
  const labels = data.labels && typeof data.labels === 'object' ? data.labels : {};
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => typeof v === 'string'));
}

function mountGantt(el) {
  try {
    const data = readData(el);
    const labels = readLabels(data);
    const { tasks, classesById } = toTasks(data.tasks, labels);
    if (!tasks.length) {
      if (el.dataset.emptyMessage) {
        const p = document.createElement('p');
        p.className = 'og-gantt-empty';
        p.textContent = el.dataset.emptyMessage;
        el.append(p);
      }
      el.dataset.ganttReady = '1';
      return;
    }

    const win = readWindow(data, parseDay);
    let viewMode = VIEW_MODES.includes(data.view_mode) ? data.view_mode : 'Day';
    const modes = Array.isArray(data.view_modes)
      ? [...new Set(data.view_modes)].filter((m) => VIEW_MODES.includes(m))
      : [];

    const chart = document.createElement('div');
    chart.className = 'og-gantt-chart';
    let gantt = null;
    // The box is as wide as the container (the toolbar sits above it).
    const fitted = win ? fitModes(modes.length ? modes : [viewMode], win, el.clientWidth) : null;
    if (fitted) viewMode = fitted.opening;
    if (modes.length > 1) {
      el.append(
        makeToolbar(el, modes, viewMode, (mode) => {
          if (gantt) gantt.change_view_mode(mode);
        }),
      );
    }
    el.append(chart);
    if (win) {
      el.dataset.ganttWindow = `${data.window.start}/${data.window.end}`;
      el.dataset.ganttToday = win.todayText;
    }

    const options = {
      view_mode: viewMode,
      language: validLanguage(data.language),
      // Read-only: `readonly` stops dragging (and draws no resize or progress handles),
      // the two below say the same for dates and progress on their own.
      readonly: true,
      readonly_dates: true,
      readonly_progress: true,
      // Fixed padding around the tasks; with infinite_padding the chart re-renders on scroll.
      infinite_padding: false,
      today_button: false,
      view_mode_select: false,
      scroll_to: win ? data.window.start : scrollTarget(data.scroll_to),
      popup,
      on_view_change(mode) {
        decorate(this, classesById);
        el.dataset.ganttView = mode.name;
      },
    };
    if (fitted) {
      // frappe-gantt opens on the first of its view modes.
      options.view_modes = [
        ...fitted.modes.filter((m) => m.name === viewMode),
        ...fitted.modes.filter((m) => m.name !== viewMode),
      ];
      options.og_window = win;
      options.og_today_label = labels.today;
    }
    gantt = fitted ? new WindowedGantt(chart, tasks, options) : new Gantt(chart, tasks, options);
    el.gantt = gantt;
    // frappe-gantt still records a mouse drag on a read-only bar (and on mouseup recomputes the
    // task dates from the bar position, which can round a day off in the Week view): keep
    // mousedown on bars from reaching it. Clicks (the popup) still get through.
    chart.addEventListener(
      'mousedown',
      (event) => {
        if (event.target.closest && event.target.closest('.bar-wrapper')) event.stopPropagation();
      },
      true,
    );
    el.dataset.ganttReady = '1';
  } catch (err) {
    showError(el, err);
  }
}

onContent('[data-gantt]', mountGantt);
