"""The bad-input table: bombs, truncated and corrupt files, wrong types, oversize uploads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from accord.errors import InvalidInput, PayloadTooLarge
from accord.signals import MediaKind, MediaLimits, decode_image, sniff


def encoded(image_format: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, image_format)
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"])
def test_images_are_sniffed_by_content_and_decoded(image_format: str) -> None:
    blob = encoded(image_format)
    assert sniff(blob).kind is MediaKind.PHOTO
    assert sniff(blob).format == image_format
    image = decode_image(blob, MediaLimits())
    assert image.mode == "RGB"
    assert image.size == (64, 48)


@pytest.mark.parametrize(
    ("blob", "kind"),
    [
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20, MediaKind.VIDEO),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20, MediaKind.VIDEO),
        (b"%PDF-1.7\n", MediaKind.OTHER),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", MediaKind.OTHER),
    ],
)
def test_sniff_other_kinds(blob: bytes, kind: MediaKind) -> None:
    assert sniff(blob).kind is kind


def test_decompression_bomb_is_refused_before_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 megapixels in a few kilobytes
    blob = buffer.getvalue()
    assert len(blob) < 200_000
    with pytest.raises(InvalidInput, match="decompression bomb"):
        decode_image(blob, MediaLimits())


def test_truncated_jpeg_is_refused_clearly() -> None:
    blob = encoded("JPEG", (256, 256))
    with pytest.raises(InvalidInput, match="truncated or corrupt"):
        decode_image(blob[: len(blob) // 2], MediaLimits())


def test_corrupt_header_is_refused_clearly() -> None:
    blob = b"\x89PNG\r\n\x1a\n" + b"garbage" * 20
    with pytest.raises(InvalidInput, match="PNG"):
        decode_image(blob, MediaLimits())


def test_a_png_is_not_decoded_as_what_its_name_says() -> None:
    assert sniff(encoded("PNG")).format == "PNG"  # there is no name to trust: only the bytes


def test_not_an_image() -> None:
    with pytest.raises(InvalidInput, match="not a supported image"):
        decode_image(b"hello world, this is text", MediaLimits())


def test_empty_and_oversize() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        decode_image(b"", MediaLimits())
    with pytest.raises(PayloadTooLarge):
        decode_image(encoded("PNG"), MediaLimits(max_bytes=100))


def test_tiny_images_are_refused() -> None:
    with pytest.raises(InvalidInput, match="too small"):
        decode_image(encoded("PNG", (8, 8)), MediaLimits())


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (40, 20))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 on display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert decode_image(buffer.getvalue(), MediaLimits()).size == (20, 40)
