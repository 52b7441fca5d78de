"""ORDERGATE_EXCHANGE_RATES: CODE=rate pairs; a wrong entry stops the start, naming the setting."""

import pytest

from app.config import _rates


def test_pairs_are_read_with_codes_in_capitals(monkeypatch):
    monkeypatch.setenv("ORDERGATE_EXCHANGE_RATES", " usd=7.1, EUR = 7.85 ,")
    assert _rates("ORDERGATE_EXCHANGE_RATES") == {"USD": "7.1", "EUR": "7.85"}


def test_unset_means_no_rates(monkeypatch):
    monkeypatch.delenv("ORDERGATE_EXCHANGE_RATES", raising=False)
    assert _rates("ORDERGATE_EXCHANGE_RATES") == {}


@pytest.mark.parametrize(
    "raw", ["USD", "USD=", "USD=seven", "USD=0", "USD=-7", "DOLLAR=7", "USD=1e9"]
)
def test_a_wrong_entry_stops_the_start(monkeypatch, raw):
    monkeypatch.setenv("ORDERGATE_EXCHANGE_RATES", raw)
    with pytest.raises(RuntimeError, match="ORDERGATE_EXCHANGE_RATES"):
        _rates("ORDERGATE_EXCHANGE_RATES")
