"""The compiled PDQ core against its oracle, pdqhash: the same 256 bits and the same quality for real photos
(scikit-image's bundled photos, the 12 held-out photos of tests/data/photos) and for adversarial inputs (flat
images, tiny ones, huge aspect ratios, 16-bit PNG, CMYK and progressive JPEG, every EXIF orientation, grey,
palette and alpha images), whole, cropped and in its eight dihedral forms."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
import pytest
from PIL import Image
from skimage import data

from accord.errors import InvalidInput
from accord.signals import MediaLimits, hash_media, pdqfast
from accord.signals.media import decode_image

PHOTOS = sorted((Path(__file__).parents[2] / "data" / "photos").glob("*.jpg"))
SKIMAGE = ["astronaut", "camera", "cat", "chelsea", "coffee", "rocket", "hubble_deep_field",
           "immunohistochemistry", "retina", "colorwheel", "brick", "grass", "gravel", "moon", "coins", "cell",
           "clock", "page", "text", "logo"]


def oracle(pixels: npt.NDArray[np.uint8]) -> tuple[str, int]:
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality)


def oracle_dihedral(pixels: npt.NDArray[np.uint8]) -> list[tuple[str, int]]:
    hashes, quality = pdqhash.compute_dihedral(np.ascontiguousarray(pixels))
    return [(np.packbits(np.asarray(b, dtype=np.uint8)).tobytes().hex(), int(quality)) for b in hashes]


def rgb(image: Image.Image) -> npt.NDArray[np.uint8]:
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def skimage_photo(name: str) -> Image.Image:
    pixels = getattr(data, name)()
    return Image.fromarray(pixels).convert("RGB") if pixels.ndim == 3 else Image.fromarray(pixels)


def corpus() -> list[tuple[str, Image.Image]]:
    photos = [(name, skimage_photo(name)) for name in SKIMAGE]
    photos += [(path.name, Image.open(path)) for path in PHOTOS]
    return photos


def test_the_compiled_core_is_built() -> None:
    """``make install`` compiles it; without it the module falls back to pdqhash and this file tests nothing."""
    assert pdqfast.COMPILED


def test_real_photos_hash_bit_for_bit_as_pdqhash() -> None:
    photos = corpus()
    assert len(photos) == len(SKIMAGE) + 12
    for name, image in photos:
        assert pdqfast.hash_image(image) == oracle(rgb(image)), name
        assert pdqfast.dihedral_image(image) == oracle_dihedral(rgb(image)), name


def test_regions_of_one_plane_hash_as_their_crops() -> None:
    for name, image in corpus()[:8]:
        plane = pdqfast.Plane(image)
        width, height = image.size
        for box in [(0, 0, width, height), (3, 5, width - 7, height - 2), (width // 3, 0, width, height // 2)]:
            cropped = rgb(image.crop(box))
            assert plane.hash(box) == oracle(cropped), (name, box)
            assert plane.dihedral(box) == oracle_dihedral(cropped), (name, box)
    with pytest.raises(ValueError, match="not inside"):
        pdqfast.Plane(Image.new("RGB", (20, 20))).hash((0, 0, 21, 20))


SHAPES = [(1, 1), (2, 3), (4, 4), (4, 100), (5, 5), (5, 6), (7, 1000), (1000, 7), (16, 4000), (4000, 16),
          (63, 65), (64, 64), (65, 64), (127, 129), (128, 128), (513, 511), (1080, 1920)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_noise_of_every_shape_hashes_as_pdqhash(shape: tuple[int, int]) -> None:
    pixels = np.random.default_rng(shape[0] * 7919 + shape[1]).integers(0, 256, (*shape, 3), dtype=np.uint8)
    assert pdqfast.hash_array(pixels) == oracle(pixels)
    assert pdqfast.dihedral_array(pixels) == oracle_dihedral(pixels)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 254, 255])
def test_flat_images_hash_as_pdqhash(value: int) -> None:
    for shape in [(1, 1), (64, 64), (100, 300)]:
        pixels = np.full((*shape, 3), value, dtype=np.uint8)
        assert pdqfast.hash_array(pixels) == oracle(pixels), shape
        assert pdqfast.hash_image(Image.fromarray(pixels[:, :, 0])) == oracle(pixels), shape


def test_smooth_gradients_and_a_strided_array_hash_as_pdqhash() -> None:
    ramp = np.linspace(0, 255, 300 * 200).reshape(300, 200)
    pixels = np.stack([ramp, ramp.T.reshape(300, 200), 255 - ramp], axis=2).astype(np.uint8)
    assert pdqfast.hash_array(pixels) == oracle(pixels)
    view = pixels[::2, 1::3]  # not contiguous: copied, then hashed
    assert pdqfast.hash_array(view) == oracle(view)


def test_a_grey_plane_hashes_as_its_rgb_conversion() -> None:
    grey = np.asarray(skimage_photo("camera"), dtype=np.uint8)
    assert pdqfast.hash_luma(grey) == oracle(np.repeat(grey[:, :, None], 3, axis=2))


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def _with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _encode(image, "JPEG", quality=92, exif=exif.tobytes())


def _files() -> list[tuple[str, bytes]]:
    photo = Image.open(PHOTOS[0]).convert("RGB")
    astronaut = skimage_photo("astronaut")
    deep = (np.asarray(skimage_photo("camera"), dtype=np.uint16) * 257).astype(np.uint16)
    files = [
        ("16-bit grey png", _encode(Image.fromarray(deep), "PNG")),
        ("cmyk jpeg", _encode(astronaut.convert("CMYK"), "JPEG", quality=90)),
        ("progressive jpeg", _encode(photo, "JPEG", quality=85, progressive=True)),
        ("grey jpeg", _encode(photo.convert("L"), "JPEG", quality=90)),
        ("palette png", _encode(astronaut.convert("P"), "PNG")),
        ("rgba png", _encode(skimage_photo("logo").convert("RGBA"), "PNG")),
        ("webp", _encode(photo, "WEBP", quality=80)),
        ("flat png", _encode(Image.new("RGB", (300, 200), (40, 90, 200)), "PNG")),
        ("wide jpeg", _encode(photo.resize((4000, 16)), "JPEG")),
        ("tall png", _encode(photo.resize((16, 4000)), "PNG")),
    ]
    files += [(f"exif orientation {o}", _with_orientation(photo, o)) for o in range(1, 9)]
    return files




@pytest.mark.parametrize(("name", "blob"), _files(), ids=[name for name, _ in _files()])
def test_files_hash_as_pdqhash_hashes_their_decoded_pixels(name: str, blob: bytes) -> None:
    limits = MediaLimits()
    computed = next(s for s in hash_media(blob, limits=limits) if s.type == "pdq")
    assert (computed.value, computed.quality) == oracle(rgb(decode_image(blob, limits))), name


def test_orientations_give_the_eight_dihedral_hashes() -> None:
    photo = Image.open(PHOTOS[0]).convert("RGB")
    hashes = {next(s.value for s in hash_media(_with_orientation(photo, o), limits=MediaLimits())
                   if s.type == "pdq") for o in range(1, 9)}
    assert len(hashes) == 8


def test_a_one_pixel_file_is_refused_before_hashing() -> None:
    with pytest.raises(InvalidInput, match="too small"):
        hash_media(_encode(Image.new("RGB", (1, 1)), "PNG"), limits=MediaLimits())


def test_an_image_beyond_one_pillow_block_is_read_by_a_copy_and_hashes_the_same() -> None:
    """Pillow exports an image without copying it only when its rows are in one block (16 MB); a 2,600 x 2,000
    RGB image (20 MB as RGBX) is not, and goes through ``tobytes``."""
    image = skimage_photo("retina").resize((2600, 2000))
    with pytest.raises(ValueError, match="contiguous"):
        image.__arrow_c_array__()
    plane = pdqfast.Plane(image)
    assert plane.hash() == oracle(rgb(image))
    box = (100, 50, 2000, 1900)
    assert plane.dihedral(box) == oracle_dihedral(rgb(image.crop(box)))
