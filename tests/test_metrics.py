"""/metrics in Prometheus' text format: what a generation adds, errors by code, the token."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.api


def samples(client, headers=None) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def test_a_generation_shows_in_the_metrics(auth, client):
    headers = auth.headers()
    before = samples(client)
    text = "Metrics count this."
    assert client.post("/api/tts/generate", json={"text": text, "lang": "en-us"}, headers=headers).status_code == 200
    assert client.post("/api/tts/generate", json={"text": "?!", "lang": "en-us"}, headers=headers).status_code == 400
    after = samples(client)

    def grew(name: str, labels: tuple = ()) -> float:
        return after.get((name, labels), 0.0) - before.get((name, labels), 0.0)

    assert grew("kokoro_characters_synthesised_total") == len(text)
    assert grew("kokoro_credits_spent_total") == len(text)
    assert grew("kokoro_time_to_first_audio_seconds_count") == 1
    assert grew("kokoro_realtime_factor_count") == 1
    assert grew("kokoro_http_errors_total", (("code", "nothing_to_say"),)) == 1
    assert grew("kokoro_http_requests_total", (("method", "POST"), ("status", "200"))) >= 1
    assert after[("kokoro_generations_in_progress", ())] == 0


def test_metrics_token(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-metrics-token"
    try:
        refused = client.get("/metrics")
        assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_token"
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert samples(client, {"Authorization": "Bearer s3cret-metrics-token"})
    finally:
        app.config["METRICS_TOKEN"] = None
