"""Raw compute cost: GPU-seconds per unit of work, times a GPU's hourly rate.

The model is deliberately simple and fully stated: diffusion video and images are calibrated on published
open-model timings and scaled by pixels and steps; transformer workloads (chat, agents, embeddings, speech)
cost 2 x active-parameters FLOPs per token at a stated utilisation of the GPU's peak. Every number used comes
back as an assumption string, so an answer never hides how it was reached.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ComputeResult", "GpuRate", "default_gpu", "gpu_seconds"]

_DATA = Path(__file__).with_name("data") / "compute.yaml"
_HOUR = Decimal(3600)


@dataclass(frozen=True, slots=True)
class GpuRate:
    name: str
    usd_per_hour: Decimal
    basis: str
    source: str
    peak_flops: Decimal


@dataclass(frozen=True, slots=True)
class ComputeResult:
    """GPU-seconds for one unit of work, and the assumptions behind the figure."""

    gpu_seconds: Decimal
    assumptions: tuple[str, ...]


@functools.cache
def _data() -> dict[str, Any]:
    with _DATA.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def default_gpu() -> GpuRate:
    """The GPU and hourly rate answers use unless the user says `gpu $X/h`."""
    gpu = _data()["gpu"]
    spec = gpu["types"][gpu["default"]]
    return GpuRate(
        name=spec["name"],
        usd_per_hour=Decimal(spec["usd_per_hour"]),
        basis=spec["rate_basis"],
        source=spec["source"],
        peak_flops=Decimal(spec["peak_tflops"]) * Decimal(10) ** 12,
    )


@functools.cache
def _video_exponent() -> Decimal:
    low, high = _data()["video"]["calibration"][:2]
    cost_ratio = Decimal(high["gpu_seconds_per_output_second"]) / Decimal(low["gpu_seconds_per_output_second"])
    pixel_ratio = Decimal(high["pixels"]) / Decimal(low["pixels"])
    return cost_ratio.ln() / pixel_ratio.ln()


def _fmt(value: Decimal, places: int = 2) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@functools.lru_cache(maxsize=256)
def _video(seconds: Decimal, resolution: str) -> ComputeResult:
    video = _data()["video"]
    base = Decimal(video["gpu_seconds_per_output_second_720p"])
    pixels = Decimal(video["pixels"][resolution])
    exponent = _video_exponent()
    per_second = base * (pixels / Decimal(video["pixels"]["720p"])) ** exponent
    notes = [
        f"Video compute calibrated on {video['reference']}: {_fmt(base, 0)} GPU-seconds per output second "
        f"at 720p ({video['source']}); analysts put Sora 2 at ~$1.30 per 10 s clip, 187 H100-seconds per "
        "output second at $2.50/h. The same for every video model: providers don't publish their timings, and "
        "distilled 'fast' or 'lite' models can be several times cheaper.",
    ]
    if resolution != "720p":
        notes.append(
            f"{resolution}: {_fmt(per_second, 0)} GPU-s per output second, scaled from 720p by pixel count "
            f"to the power {_fmt(exponent)} (fitted on the same model's 480p and 720p timings)."
        )
    return ComputeResult(per_second * seconds, tuple(notes))


@functools.lru_cache(maxsize=256)
def _image(quality: str, size: str | None) -> ComputeResult:
    image = _data()["image"]
    steps = image["steps_by_quality"][quality]
    width, height = (int(n) for n in (size or "1024x1024").split("x"))
    pixel_ratio = Decimal(width * height) / Decimal(image["reference_pixels"])
    exponent = Decimal(image["pixel_exponent"])
    gpu_s = Decimal(image["gpu_seconds_per_image"]) * Decimal(steps) / Decimal(image["reference_steps"])
    gpu_s *= pixel_ratio**exponent
    notes = (
        f"Image compute calibrated on {image['reference']}: {image['gpu_seconds_per_image']} GPU-seconds "
        f"({image['source']}); the same for every image model, as providers don't publish their timings.",
        f"{quality} quality taken as {steps} diffusion steps at {width}x{height}: {_fmt(gpu_s)} GPU-s per image "
        f"(linear in steps, pixels to the power {image['pixel_exponent']}).",
    )
    return ComputeResult(gpu_s, notes)


@functools.lru_cache(maxsize=512)
def active_params(model_id: str) -> tuple[Decimal, str]:
    """Active parameters (in units, not billions) for a transformer model id, and where the figure comes from."""
    table = _data()["transformer"]["active_params_b"]
    for row in table["patterns"]:
        if re.search(row["match"], model_id):
            return Decimal(str(row["params"])) * Decimal(10) ** 9, row["basis"]
    default = table["default"]
    return Decimal(str(default["params"])) * Decimal(10) ** 9, default["basis"]


@functools.lru_cache(maxsize=512)
def _transformer_notes(model_id: str) -> tuple[Decimal, tuple[str, ...]]:
    spec = _data()["transformer"]
    params, basis = active_params(model_id)
    prefill = Decimal(spec["prefill_utilisation"])
    decode = Decimal(spec["decode_utilisation"])
    notes = (
        f"Token compute: 2 x {_fmt(params / Decimal(10) ** 9, 1)}B active parameters FLOPs per token ({basis}), "
        f"input at {_fmt(prefill * 100, 0)}% and output at {_fmt(decode * 100, 0)}% of the GPU's peak.",
    )
    return params, notes


def _transformer(model_id: str, tokens_in: Decimal, tokens_out: Decimal, gpu_peak: Decimal) -> ComputeResult:
    spec = _data()["transformer"]
    params, notes = _transformer_notes(model_id)
    prefill = Decimal(spec["prefill_utilisation"])
    decode = Decimal(spec["decode_utilisation"])
    gpu_s = 2 * params * (tokens_in / (gpu_peak * prefill) + tokens_out / (gpu_peak * decode))
    return ComputeResult(gpu_s, notes)


@functools.lru_cache(maxsize=256)
def _tts(chars: Decimal, gpu_peak: Decimal) -> ComputeResult:
    speech = _data()["speech"]
    seconds = chars / Decimal(speech["chars_per_second"])
    params = Decimal(str(speech["tts_params_b"])) * Decimal(10) ** 9
    tokens = seconds * Decimal(speech["tts_tokens_per_second"])
    gpu_s = 2 * params * tokens / (gpu_peak * Decimal(_data()["transformer"]["decode_utilisation"]))
    notes = (
        f"Speech compute: a {speech['tts_params_b']}B-parameter audio-token decoder writing "
        f"{speech['tts_tokens_per_second']} tokens per second of speech (assumed; providers don't publish it).",
    )
    return ComputeResult(gpu_s, notes)


@functools.lru_cache(maxsize=256)
def _transcribe(seconds: Decimal, gpu_peak: Decimal) -> ComputeResult:
    speech = _data()["speech"]
    params = Decimal(str(speech["stt_params_b"])) * Decimal(10) ** 9
    transformer = _data()["transformer"]
    encode = seconds * Decimal(speech["stt_encoder_frames_per_second"])
    decode = seconds * Decimal(speech["stt_text_tokens_per_second"])
    gpu_s = (
        2
        * params
        * (
            encode / (gpu_peak * Decimal(transformer["prefill_utilisation"]))
            + decode / (gpu_peak * Decimal(transformer["decode_utilisation"]))
        )
    )
    notes = (
        f"Transcription compute: Whisper large-v3 class ({speech['stt_params_b']}B parameters), "
        f"{speech['stt_encoder_frames_per_second']} encoder frames and {speech['stt_text_tokens_per_second']} "
        "text tokens per second of audio.",
    )
    return ComputeResult(gpu_s, notes)


def gpu_seconds(
    modality: str,
    *,
    model_id: str,
    seconds: Decimal | None = None,
    resolution: str | None = None,
    quality: str | None = None,
    size: str | None = None,
    tokens_in: Decimal = Decimal(0),
    tokens_out: Decimal = Decimal(0),
    chars: Decimal | None = None,
) -> ComputeResult:
    """GPU-seconds on the default GPU for one unit of `modality` work, with the assumptions used.

    Args:
        modality: video, image, chat, agent, embed, tts or transcribe.
        model_id: The priced model; picks the parameter class for token workloads.
        seconds: Output seconds (video), audio seconds (transcribe).
        resolution: Video resolution (480p … 4k).
        quality: Image quality (low, medium, high, standard, hd).
        size: Image size `WxH`.
        tokens_in: Input tokens per unit (chat, agent, embed).
        tokens_out: Output tokens per unit (chat, agent).
        chars: Characters of speech (tts).
    """
    peak = default_gpu().peak_flops
    if modality == "video":
        assert seconds is not None
        return _video(seconds, resolution or "720p")
    if modality == "image":
        return _image(quality or "medium", size)
    if modality == "tts":
        assert chars is not None
        return _tts(chars, peak)
    if modality == "transcribe":
        assert seconds is not None
        return _transcribe(seconds, peak)
    return _transformer(model_id, tokens_in, tokens_out, peak)


def gpu_usd(gpu_seconds_: Decimal, usd_per_hour: Decimal) -> Decimal:
    """USD for GPU-seconds at an hourly rate."""
    return gpu_seconds_ * usd_per_hour / _HOUR
