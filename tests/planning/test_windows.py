"""chart_window: the days a Gantt chart opens on (today to the last date that matters)."""

from datetime import date, timedelta

from app.planning.windows import EMPTY_DAYS, LEAD_DAYS, TAIL_DAYS, ChartWindow, chart_window

TODAY = date(2027, 3, 1)


def d(day: str) -> date:
    return date.fromisoformat(day)


def test_from_today_to_the_last_finish_with_a_margin_either_side():
    window = chart_window(
        TODAY, [(d("2027-03-01"), d("2027-03-03")), (d("2027-03-02"), d("2027-03-10"))]
    )
    assert window == ChartWindow(d("2027-02-27"), d("2027-03-13"), TODAY)
    assert window.start == TODAY - timedelta(days=LEAD_DAYS)
    assert window.end == d("2027-03-10") + timedelta(days=TAIL_DAYS)
    assert window.days == 15 and window.contains(TODAY) and not window.contains(d("2027-03-14"))


def test_late_orders_three_months_out_are_inside_and_the_margin_grows_with_the_span():
    late_finish = d("2027-06-04")
    window = chart_window(TODAY, [(d("2027-05-20"), late_finish), (TODAY, d("2027-03-02"))])
    assert window.contains(late_finish) and window.contains(TODAY)
    # A tenth of the 95-day span after the last finish, so the bar does not touch the edge.
    assert window.end == late_finish + timedelta(days=10)
    assert window.start == TODAY - timedelta(days=LEAD_DAYS)


def test_order_of_the_spans_does_not_matter():
    spans = [
        (d("2027-04-01"), d("2027-04-09")),
        (TODAY, d("2027-03-05")),
        (d("2027-03-08"), d("2027-03-20")),
    ]
    assert chart_window(TODAY, spans) == chart_window(TODAY, list(reversed(spans)))


def test_a_past_span_widens_the_window_backwards_and_today_stays_inside():
    # A stored preview computed a week ago: its bars start before today's date.
    window = chart_window(TODAY, [(d("2027-02-22"), d("2027-02-24"))])
    assert window.start == d("2027-02-20") and window.contains(TODAY)
    assert window.end == TODAY + timedelta(days=TAIL_DAYS)


def test_the_bound_cuts_ordinary_spans_but_never_what_must_be_kept():
    far = (d("2027-03-05"), d("2029-01-31"))  # an order finishing in two years
    bound = TODAY + timedelta(days=91)
    cut = chart_window(TODAY, [far], bound=bound)
    assert cut.end == bound + timedelta(days=(91 + 9) // 10)
    late = (d("2027-09-01"), d("2027-10-15"))
    kept = chart_window(TODAY, [far, late], keep=[late], bound=bound)
    assert kept.contains(d("2027-10-15")) and kept.end < d("2029-01-31")
    # A bound in the past does not cut before today.
    assert chart_window(TODAY, [far], bound=d("2026-01-01")).end >= TODAY


def test_nothing_that_matters_shows_today_and_the_next_two_weeks():
    window = chart_window(TODAY, [])
    assert window.start == TODAY - timedelta(days=LEAD_DAYS)
    assert window.end == TODAY + timedelta(days=EMPTY_DAYS)
    assert window.as_json() == {"start": "2027-02-27", "end": "2027-03-15", "today": "2027-03-01"}


def test_a_single_day_span_is_a_date_to_show():
    window = chart_window(TODAY, [(d("2027-03-20"), d("2027-03-20"))])
    assert window.contains(d("2027-03-20")) and window.end == d("2027-03-23")
