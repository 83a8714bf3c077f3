"""The compute model: calibrated where it can be checked, monotonic where physics says so."""

from __future__ import annotations

from decimal import Decimal

from costing import estimate
from costing.compute import active_params, default_gpu, gpu_seconds


def test_a_ten_second_720p_clip_lands_near_the_analysts_1_30_dollars() -> None:
    e = estimate("video 10s 720p")
    assert Decimal("1.00") <= e.compute.unit_usd <= Decimal("1.70")  # Cantor Fitzgerald: ~$1.30


def test_the_default_gpu_is_stated_and_priced() -> None:
    gpu = default_gpu()
    assert "H100" in gpu.name and gpu.usd_per_hour == Decimal("2.50")
    e = estimate("video 10s")
    assert any("H100" in a and "$2.50/h" in a for a in e.assumptions)


def test_video_compute_grows_with_resolution_and_length() -> None:
    costs = [gpu_seconds("video", model_id="x", seconds=Decimal(10), resolution=r).gpu_seconds
             for r in ("480p", "720p", "1080p", "4k")]  # fmt: skip
    assert costs == sorted(costs) and len(set(costs)) == 4
    assert abs(costs[0] - Decimal(650)) < Decimal("1e-6")  # the 480p calibration point is reproduced
    twice = gpu_seconds("video", model_id="x", seconds=Decimal(20), resolution="720p").gpu_seconds
    assert twice == 2 * costs[1]


def test_image_compute_grows_with_quality_and_size() -> None:
    low, medium, high = (gpu_seconds("image", model_id="x", quality=q).gpu_seconds for q in ("low", "medium", "high"))
    assert low < medium < high
    assert medium == Decimal("6.7")  # the FLUX.1-dev calibration point: 28 steps at 1024x1024
    assert gpu_seconds("image", model_id="x", size="1024x1536").gpu_seconds > medium


def test_token_compute_is_two_flops_per_parameter_per_token() -> None:
    params, _ = active_params("llama-3.3-70b")
    assert params == Decimal(70) * 10**9
    result = gpu_seconds("chat", model_id="llama-3.3-70b", tokens_in=Decimal(1000), tokens_out=Decimal(0))
    expected = 2 * params * 1000 / (default_gpu().peak_flops * Decimal("0.40"))
    assert abs(result.gpu_seconds - expected) < Decimal("1e-12")


def test_closed_models_get_a_stated_size_class() -> None:
    assert active_params("gpt-4o-mini")[0] < active_params("gpt-4o")[0] < active_params("claude-opus-4-1")[0]
    assert "assumed" in active_params("gpt-4o")[1]
    assert active_params("gemini-2.5-pro")[1] == active_params("claude-opus-4-1")[1]  # "gemini" is not "mini"


def test_every_estimate_states_its_compute_assumptions() -> None:
    for text in ("video 10s", "image", "chat 1k in", "agent 10 steps", "tts 30s", "transcribe 5 min",
                 "embed 1k tokens"):  # fmt: skip
        e = estimate(text)
        assert e.compute.unit_usd > 0, text
        assert any("GPU-seconds" in a for a in e.assumptions), text
