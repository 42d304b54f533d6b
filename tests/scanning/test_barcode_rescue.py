"""The second barcode pass on generated degraded pages (photocopied CCCD cards: small, blurred, faded,
compressed, skewed, inverted, crossed by a pen stroke) and the rule that it never invents a code."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.separator import SeparatorPayload, format_separator
from app.documents.code_specimens import DEGRADATIONS, render_code_page
from app.documents.specimens import render_specimen
from app.scanning.barcode_rescue import code_regions, office_payload, rescue
from app.scanning.barcodes import read_barcodes
from app.scanning.loading import load_page
from app.scanning.pipeline import PageResult, process_page
from app.scanning.profile import get_profile

SEEDS = range(2 * len(DEGRADATIONS))  # every degradation twice


def gray_page(jpeg: bytes) -> np.ndarray:
    image = load_page(jpeg, 0, name="page.jpg").image
    return image if image.ndim == 2 else image[..., 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_degraded_cccd_qr_is_read(seed: int) -> None:
    page = render_code_page(seed)
    found = read_barcodes(gray_page(page.jpeg))
    assert [b.text for b in found] == [page.payload], page.degradation


def test_the_second_pass_reads_what_the_first_pass_misses() -> None:
    blurred = [render_code_page(seed, degradation="blur") for seed in range(8)]
    first = [bool(read_barcodes(gray_page(p.jpeg), second_pass=False)) for p in blurred]
    both = [[b.text for b in read_barcodes(gray_page(p.jpeg))] for p in blurred]
    assert not all(first)  # these really are hard for plain zxing-cpp
    assert both == [[p.payload] for p in blurred]


def test_the_pipeline_reports_what_the_second_pass_found() -> None:
    page = render_code_page(1, degradation="blur")
    loaded = load_page(page.jpeg, 0, name="cccd.jpg")
    result = process_page(loaded.image, get_profile("default"), dpi=loaded.dpi, jpeg=loaded.jpeg)
    assert isinstance(result, PageResult)
    assert [b.to_json() for b in result.barcodes] == [{"format": "QRCode", "text": page.payload}]


def test_only_office_payloads_are_accepted_alone() -> None:
    assert office_payload(render_code_page(3).payload)
    assert office_payload(format_separator(SeparatorPayload(result_code="KQ.1.000894")))
    assert office_payload("000.00.22.H12-230601-0001")
    for text in ("https://example.com", "079190001234", "079190001234|x|y", "HELLO", ""):
        assert not office_payload(text), text


def test_a_decoded_text_that_is_no_office_payload_is_refused_unless_both_readers_agree() -> None:
    page = render_code_page(5, payload="https://dichvucong.gov.vn/p/12345", degradation="blur")
    gray = gray_page(page.jpeg)
    refuse_all = rescue(gray, accept=lambda _text: False)
    # whatever came out, both readers decoded it in the same region
    assert all(b.text == page.payload for b in refuse_all)


@pytest.mark.parametrize("seed", [0, 3, 5])
def test_no_code_is_found_on_text_pages_with_seals_and_signatures(seed: int) -> None:
    gray = gray_page(render_specimen(seed).jpeg)
    assert code_regions(gray) == []
    assert read_barcodes(gray) == ()
    assert rescue(gray, expected=True) == ()  # even looking everywhere


def test_no_code_is_found_on_noise() -> None:
    rng = np.random.default_rng(7)
    noise = (rng.random((1200, 900)) > 0.5).astype(np.uint8) * 255
    assert rescue(noise, expected=True) == ()
