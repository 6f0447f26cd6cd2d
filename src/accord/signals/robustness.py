"""The edit-robustness measurement: which edited re-uploads plain PDQ and Accord's variants still match.

Two sets of real photos are measured separately: the **tuning** set (scikit-image's photos, which the crop
grid and border tolerance of ``accord.signals.variants`` were chosen on) and a **held-out** set that played no
part in choosing them (``tests/data/photos`` plus photos shipped inside matplotlib and scikit-image). False
matches are counted over every ordered pair of different photos of both sets, under every edit.

Used by the tests and ``benchmarks/robustness.py`` to produce the tables in ``docs/signals.md``.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from accord.signals.types import PDQ_THRESHOLD
from accord.signals.variants import centre_crop, index_hashes, plain_hash, query_hashes

Edit = Callable[[Image.Image], Image.Image]


def _reencode(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _watermark(image: Image.Image) -> Image.Image:
    marked = image.copy()
    draw = ImageDraw.Draw(marked, "RGBA")
    width, height = marked.size
    box = (int(width * 0.6), int(height * 0.85), int(width * 0.97), int(height * 0.97))
    draw.rectangle(box, fill=(255, 255, 255, 160))
    draw.text((int(width * 0.62), int(height * 0.87)), "@reposter", fill=(0, 0, 0, 255))
    return marked


def _letterbox(image: Image.Image) -> Image.Image:
    return ImageOps.expand(image, border=(image.width // 10, image.height // 10), fill=(0, 0, 0))


def _tilt(image: Image.Image) -> Image.Image:
    """Rotated by 5 degrees, then cropped to the largest centred rectangle free of the corners it uncovers."""
    return centre_crop(image.rotate(5, resample=Image.Resampling.BICUBIC), 0.06)


EDITS: dict[str, Edit] = {
    "re-encode (JPEG q40)": _reencode,
    "resize to 50 %": lambda im: im.resize((im.width // 2, im.height // 2)),
    "greyscale": lambda im: im.convert("L").convert("RGB"),
    "blur (Gaussian r=2)": lambda im: im.filter(ImageFilter.GaussianBlur(2)),
    "brighten 30 %": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "watermark (corner box)": _watermark,
    "crop 5 % per side": lambda im: centre_crop(im, 0.05),
    "crop 10 % per side": lambda im: centre_crop(im, 0.10),
    "mirror": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "flip": lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    "rotate 90": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "rotate 180": lambda im: im.transpose(Image.Transpose.ROTATE_180),
    "letterbox 10 %": _letterbox,
    "mirror + crop 5 %": lambda im: centre_crop(im, 0.05).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "crop 10 % off-centre": lambda im: im.crop((im.width // 10, im.height // 10, im.width, im.height)),
    "tilt 5 degrees (and crop 6 %)": _tilt,
}


TUNING_PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "moon", "hubble_deep_field",
    "immunohistochemistry", "page", "text", "grass", "gravel", "brick", "retina", "colorwheel", "clock",
    "cell", "horse", "logo",
)  # fmt: skip
"""scikit-image's photos the variant grid was tuned on (``clock`` drops out: its PDQ quality is 34)."""

HELDOUT_DIR = Path(__file__).resolve().parents[3] / "tests" / "data" / "photos"
"""Held-out photos kept in the repository (512 px copies of Debian's mate-backgrounds photos; see its README)."""


@dataclass(frozen=True, slots=True)
class PhotoResult:
    """Distances between one banked photo and its edited re-upload; None when the edit left no hash of
    sufficient quality to look up (such an upload is not matched)."""

    photo: str
    plain: int | None
    accord: int | None


@dataclass(frozen=True, slots=True)
class EditResult:
    """One kind of edit over a set of photos."""

    edit: str
    photos: tuple[PhotoResult, ...]

    @property
    def total(self) -> int:
        return len(self.photos)

    @property
    def plain(self) -> int:
        """How many edited photos plain PDQ (one hash each side) still matches at <= 31."""
        return sum(r.plain is not None and r.plain <= PDQ_THRESHOLD for r in self.photos)

    @property
    def accord(self) -> int:
        """How many edited photos Accord's variants still match at <= 31."""
        return sum(r.accord is not None and r.accord <= PDQ_THRESHOLD for r in self.photos)

    def missed(self) -> list[str]:
        """The photos Accord did not match after this edit."""
        return [r.photo for r in self.photos if r.accord is None or r.accord > PDQ_THRESHOLD]

    def median(self, side: str) -> int | None:
        """Median distance over the photos (``side`` is ``plain`` or ``accord``); unhashable ones count as 256."""
        values = [256 if d is None else d for d in (getattr(r, side) for r in self.photos)]
        return round(statistics.median(values)) if values else None

    def only(self, names: Iterable[str]) -> EditResult:
        """The same edit restricted to ``names``."""
        keep = set(names)
        return EditResult(self.edit, tuple(r for r in self.photos if r.photo in keep))


@dataclass(frozen=True, slots=True)
class Closest:
    """The closest pair of different photos: ``queried`` (after ``edit``) looked up against ``banked``."""

    distance: int
    banked: str
    queried: str
    edit: str


@dataclass(frozen=True, slots=True)
class FalseMatches:
    """Matches between different photos, over every ordered pair and every edit (the unedited upload too)."""

    lookups: int
    plain: int
    accord: int
    closest_plain: Closest
    closest_accord: Closest


@dataclass(frozen=True, slots=True)
class Measurement:
    edits: list[EditResult]
    false_matches: FalseMatches


def _load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def _bankable(photos: Mapping[str, Image.Image]) -> dict[str, Image.Image]:
    return {name: photo for name, photo in photos.items() if index_hashes(photo) and plain_hash(photo)}


def tuning_photos() -> dict[str, Image.Image]:
    """scikit-image's bundled photos (a dev dependency) whose PDQ quality is high enough to bank."""
    from skimage import data  # imported late: scikit-image is only needed to measure

    photos = {}
    for name in TUNING_PHOTOS:
        pixels = getattr(data, name)()
        photos[name] = Image.fromarray(pixels.astype(np.uint8) * (255 if pixels.dtype == bool else 1))
    return _bankable({name: photo.convert("RGB") for name, photo in photos.items()})



def heldout_photos(directory: Path = HELDOUT_DIR) -> dict[str, Image.Image]:
    """Real photos the variant grid was never tuned on: every JPEG in ``directory``, matplotlib's portrait of
    Grace Hopper and the left view of scikit-image's stereo motorcycle (its right view is the same scene, so
    it is left out rather than counted as unrelated)."""
    import matplotlib.cbook  # imported late: only needed to measure
    from skimage import data

    photos = {path.stem: _load(path) for path in sorted(directory.glob("*.jpg"))}
    photos["grace_hopper"] = _load(Path(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))))
    left, _, _ = data.stereo_motorcycle()  # type: ignore[no-untyped-call]  # scikit-image ships no types
    photos["motorcycle_left"] = Image.fromarray(left).convert("RGB")
    return _bankable(photos)


def _bits(hashes: list[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer(bytes.fromhex("".join(hashes)), np.uint8).reshape(len(hashes), 32)


def _distances(left: npt.NDArray[np.uint8], right: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Hamming distances of every row of ``left`` to every row of ``right``."""
    counts: npt.NDArray[np.int64] = np.bitwise_count(left[:, None, :] ^ right[None, :, :]).sum(axis=2, dtype=np.int64)
    return counts


def distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hashes."""
    return int(_distances(_bits([a]), _bits([b]))[0, 0])


def accord_distance(bank: list[str], query: list[str]) -> int:
    """The least distance between any bank-side and any query-side hash."""
    return int(_distances(_bits(bank), _bits(query)).min())


class _Bank:
    """Every photo's bank-side hashes in one array, so one upload is compared with all photos at once."""

    def __init__(self, photos: Mapping[str, Image.Image]) -> None:
        self.names = list(photos)
        variants = [index_hashes(photo) for photo in photos.values()]
        self.starts = np.cumsum([0] + [len(v) for v in variants[:-1]])
        self.variants = _bits([h for v in variants for h in v])
        self.plain = _bits([plain_hash(photo) or "" for photo in photos.values()])

    def accord(self, query: list[str]) -> npt.NDArray[np.int64]:
        """Per banked photo, the least distance to any of ``query``; 257 when ``query`` is empty."""
        if not query:
            return np.full(len(self.names), 257, np.int64)
        per_hash = _distances(self.variants, _bits(query)).min(axis=1)
        least: npt.NDArray[np.int64] = np.minimum.reduceat(per_hash, self.starts)
        return least

    def plain_to(self, value: str | None) -> npt.NDArray[np.int64]:
        if value is None:
            return np.full(len(self.names), 257, np.int64)
        return _distances(self.plain, _bits([value]))[:, 0]


def measure(photos: Mapping[str, Image.Image], edits: Mapping[str, Edit] = EDITS) -> Measurement:
    """Per edit and photo, the plain and Accord distance to its original; and every false match among them."""
    bank = _Bank(photos)
    names = bank.names
    results: list[EditResult] = []
    lookups = plain_false = accord_false = 0
    closest_plain = closest_accord = Closest(257, "", "", "")
    for edit_name, edit in {"none": lambda im: im, **edits}.items():
        per_photo = []
        for index, name in enumerate(names):
            edited = edit(photos[name])
            plain_query, query = plain_hash(edited), query_hashes(edited)
            plain, accord = bank.plain_to(plain_query), bank.accord(query)
            per_photo.append(PhotoResult(name, _known(plain[index]), _known(accord[index])))
            others = np.arange(len(names)) != index
            lookups += int(others.sum())
            plain_false += int((plain[others] <= PDQ_THRESHOLD).sum())
            accord_false += int((accord[others] <= PDQ_THRESHOLD).sum())
            closest_plain = _closer(closest_plain, plain, index, names, edit_name)
            closest_accord = _closer(closest_accord, accord, index, names, edit_name)
        if edit_name != "none":
            results.append(EditResult(edit_name, tuple(per_photo)))
    false = FalseMatches(lookups, plain_false, accord_false, closest_plain, closest_accord)
    return Measurement(results, false)


def _known(value: np.int64) -> int | None:
    return None if value > 256 else int(value)


def _closer(best: Closest, row: npt.NDArray[np.int64], index: int, names: list[str], edit: str) -> Closest:
    masked = row.copy()
    masked[index] = 257
    other = int(masked.argmin())
    if masked[other] < best.distance:
        return Closest(int(masked[other]), names[other], names[index], edit)
    return best


def measure_edits(photos: Mapping[str, Image.Image]) -> list[EditResult]:
    """Per edit, how many photos plain PDQ and Accord's variants match at <= 31."""
    return measure(photos).edits


def closest_unrelated(photos: Mapping[str, Image.Image]) -> tuple[int, str, str]:
    """The least Accord distance between two different photos (banked one way, queried the other, unedited)."""
    closest = measure(photos, {}).false_matches.closest_accord
    return closest.distance, closest.banked, closest.queried
