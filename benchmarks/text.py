"""Text and document matching: recall per edit, false matches, lookups/s at 100,000 banked documents.

Run: ``PYTHONPATH=src python benchmarks/text.py`` (``--quick`` for 10,000 banked documents and fewer corpus
texts; ``--sweep`` also prints recall and false matches for other shingle and window sizes).

The tuning corpus, and nothing else, is what the parameters were chosen on; every text in it ships with Debian
under an open licence:

- banked documents: the licence texts in ``/usr/share/common-licenses`` that share no passage with each other
  (Apache-2.0, Artistic, GFDL-1.3, GPL-3, MPL-2.0) and the longest files of Vim's reference manual
  (``/usr/share/vim/vim*/doc``, Vim licence), each cut to its first 8,000 words;
- unrelated documents (false matches, and the text excerpts are embedded in): the docstrings of the Python
  standard library's modules (``/usr/lib/python3.*``, PSF licence), one document per module;
- synthetic banked documents to reach 100,000: 150-900 words drawn from the corpus vocabulary by Zipf's law.

Each banked document is edited ten ways (reflowed, case and punctuation, new first page, first half, 300- and
1,000-word excerpts inside unrelated text, paragraphs shuffled, 2 % OCR-like character noise, rendered to PDF
by fpdf2 and read back by Accord's PDF reader) and looked up in Accord's containment index and in
python-threatexchange's TLSH (``TextTLSHSignal.compare_hash``, threshold 30) over the same documents.
"""

from __future__ import annotations

import argparse
import ast
import gc
import glob
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from fpdf import FPDF
from threatexchange.extensions.tlsh.text_tlsh import TextTLSHSignal

from accord.matching.text_index import ContainmentMatchIndex, TLSHMatchIndex
from accord.signals import text as textsig
from accord.signals.documents import extract_text

LICENCES = ("Apache-2.0", "Artistic", "GFDL-1.3", "GPL-3", "MPL-2.0")
SKIP_VIM = ("version", "todo", "tags", "help.txt", "quickref", "index.txt", "vi_diff", "usr_toc", "os_")
MAX_WORDS = 8_000
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def banked_corpus(limit: int) -> dict[str, str]:
    texts = {f"licence/{name}": Path(f"/usr/share/common-licenses/{name}").read_text() for name in LICENCES}
    vim = sorted(glob.glob("/usr/share/vim/vim*/doc/*.txt"), key=lambda p: -Path(p).stat().st_size)
    for path in vim:
        if len(texts) >= limit:
            break
        if not any(skip in Path(path).name for skip in SKIP_VIM):
            texts[f"vim/{Path(path).name}"] = Path(path).read_text(errors="replace")
    return {name: cut(text, MAX_WORDS) for name, text in texts.items()}


def cut(text: str, words: int) -> str:
    """The first ``words`` words of ``text``, keeping its line breaks."""
    spans = [m.end() for m in re.finditer(r"\S+", text)]
    return text if len(spans) <= words else text[: spans[words - 1]]


def unrelated_corpus() -> list[str]:
    docs = []
    for path in sorted(glob.glob(f"/usr/lib/python3.{sys.version_info.minor}/*.py")):
        try:
            tree = ast.parse(Path(path).read_text(errors="replace"))
        except SyntaxError:
            continue
        parts = [ast.get_docstring(node) or "" for node in ast.walk(tree)
                 if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)]
        doc = "\n\n".join(p for p in parts if p)
        if len(doc.split()) >= 300:
            docs.append(doc)
    return docs


# ---- edits --------------------------------------------------------------------------------------------------

def reflow(text: str, rng: random.Random) -> str:
    out, line = [], []
    width = rng.randint(40, 100)
    for word in text.split():
        line.append(word)
        if sum(len(w) + 1 for w in line) > width:
            out.append("  ".join(line) if rng.random() < 0.3 else " ".join(line))
            line, width = [], rng.randint(40, 100)
    return "\n".join([*out, " ".join(line)])


def case_punct(text: str, rng: random.Random) -> str:
    swap = {".": "!", ",": "", ";": ",", ":": " -", "(": "", ")": "", "'": "\u2019", '"': "\u201c"}
    words = [w.upper() if rng.random() < 0.2 else w.title() if rng.random() < 0.2 else w for w in text.split(" ")]
    return "".join(swap.get(c, c) for c in " ".join(words))


def excerpt(text: str, n: int, filler: list[str], rng: random.Random) -> str:
    words = text.split()
    start = rng.randint(0, max(0, len(words) - n))
    before, after = rng.sample(filler, 2)
    return f"{cut(before, 600)}\n\n{' '.join(words[start:start + n])}\n\n{cut(after, 600)}"


def shuffle_paragraphs(text: str, rng: random.Random) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paragraphs) < 6:
        words = text.split()
        paragraphs = [" ".join(words[i:i + 80]) for i in range(0, len(words), 80)]
    rng.shuffle(paragraphs)
    return "\n\n".join(paragraphs)


OCR_SWAPS = (("rn", "m"), ("m", "rn"), ("l", "1"), ("1", "l"), ("O", "0"), ("0", "O"), ("e", "c"), ("c", "e"),
             ("i", "l"), ("h", "b"), ("u", "v"), ("a", "o"), ("S", "5"), ("t", "f"))


def ocr_noise(text: str, rng: random.Random, rate: float = 0.02) -> str:
    out, i = [], 0
    while i < len(text):
        if not text[i].isspace() and rng.random() < rate:
            roll = rng.random()
            pair = next((p for p in rng.sample(OCR_SWAPS, len(OCR_SWAPS)) if text.startswith(p[0], i)), None)
            if pair and roll < 0.6:
                out.append(pair[1])
                i += len(pair[0])
                continue
            if roll < 0.8:
                i += 1  # a character lost
                continue
            out.append(rng.choice("., '"))  # a speck read as a character
        out.append(text[i])
        i += 1
    return "".join(out)


def to_pdf(text: str) -> str:
    pdf = FPDF()
    pdf.add_font("body", "", FONT)
    pdf.set_font("body", size=10)
    pdf.add_page()
    pdf.multi_cell(0, 5, text.replace("\t", "    "))
    extracted = extract_text(bytes(pdf.output()))
    assert extracted is not None
    return extracted.text


def edits(filler: list[str]) -> dict[str, Callable[[str, random.Random], str]]:
    return {
        "whitespace and line reflow": reflow,
        "case and punctuation": case_punct,
        "new first page": lambda t, r: cut(r.choice(filler), 500) + "\n\n\f" + t,
        "first half only": lambda t, r: cut(t, len(t.split()) // 2),
        "300-word excerpt in unrelated text": lambda t, r: excerpt(t, 300, filler, r),
        "1,000-word excerpt in unrelated text": lambda t, r: excerpt(t, 1000, filler, r),
        "paragraphs shuffled": shuffle_paragraphs,
        "2 % OCR-like character noise": ocr_noise,
        "rendered to PDF": lambda t, r: to_pdf(t),
    }


# ---- measuring ------------------------------------------------------------------------------------------------

def containment(text: str) -> str | None:
    return textsig.containment_value(textsig.words(text))


def tlsh_of(text: str) -> str | None:
    return textsig.text_tlsh(textsig.normalise(text))


def synthetic(count: int, vocabulary: list[str], seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, len(vocabulary) + 1)
    weights = 1.0 / ranks
    weights /= weights.sum()
    lengths = rng.integers(150, 900, size=count)
    picks = rng.choice(len(vocabulary), size=int(lengths.sum()), p=weights)
    out, at = [], 0
    for length in lengths.tolist():
        out.append(" ".join(vocabulary[i] for i in picks[at:at + length]))
        at += length
    return out


def recall_table(banked: dict[str, str], filler: list[str], unrelated: list[str], seed: int) -> None:
    names = list(banked)
    index, tlsh_index = ContainmentMatchIndex(), TLSHMatchIndex()
    tlsh_values = {}
    for entry_id, name in enumerate(names):
        value = containment(banked[name])
        assert value is not None
        index.add(entry_id, value)
        tlsh_values[entry_id] = tlsh_of(banked[name])
        if tlsh_values[entry_id]:
            tlsh_index.add(entry_id, str(tlsh_values[entry_id]))
    rng = random.Random(seed)
    print(f"banked {len(names)} corpus documents ({sum(len(t.split()) for t in banked.values()):,} words); "
          f"{len(unrelated)} unrelated documents")
    print("| edit | Accord containment recall | share of banked document found (median) | pytx text_tlsh recall |"
          " text_md5 recall |")
    print("|---|---|---|---|---|")
    totals = [0, 0, 0, 0]
    false_matches = 0
    related = {(i, h.entry_id) for i, name in enumerate(names) for h in index.query(str(containment(banked[name])))}
    md5s = {textsig.text_md5(textsig.normalise(banked[n])): i for i, n in enumerate(names)}
    for edit_name, edit in edits(filler).items():
        found = tl = md = 0
        shares = []
        for entry_id, name in enumerate(names):
            edited = edit(banked[name], rng)
            value = containment(edited)
            hits = index.query(value) if value else []
            false_matches += sum(1 for h in hits if h.entry_id != entry_id and (entry_id, h.entry_id) not in related)
            mine = [h for h in hits if h.entry_id == entry_id]
            found += bool(mine)
            shares += [h.compared_match_percent or 0.0 for h in mine]
            edited_tlsh = tlsh_of(edited)
            tl += bool(edited_tlsh and tlsh_values[entry_id]
                       and TextTLSHSignal.compare_hash(edited_tlsh, str(tlsh_values[entry_id])).match)
            md += md5s.get(textsig.text_md5(textsig.normalise(edited))) == entry_id
        n = len(names)
        totals = [totals[0] + found, totals[1] + tl, totals[2] + md, totals[3] + n]
        print(f"| {edit_name} | {found / n:.3f} | {np.median(shares) if shares else 0:.0f} % | {tl / n:.3f} |"
              f" {md / n:.3f} |")
    n = totals[3]
    print(f"| **all edits** | **{totals[0] / n:.3f}** |  | **{totals[1] / n:.3f}** | {totals[2] / n:.3f} |")
    unrelated_hits = sum(bool(index.query(v)) for v in map(containment, unrelated) if v)
    tlsh_false = sum(1 for doc in unrelated if (v := tlsh_of(doc)) and tlsh_index.query(v))
    print(f"false matches: {unrelated_hits} of {len(unrelated)} unrelated documents matched some banked one "
          f"(pytx TLSH: {tlsh_false}); {false_matches} hits of an edited document on another banked document it shares "
          f"no passage with ({len(related) - len(names)} ordered pairs of banked documents share passages: Vim's "
          "manual quotes itself)")


def speed_table(banked: dict[str, str], filler: list[str], size: int, seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = sorted({w for t in banked.values() for w in textsig.words(t)})
    random.Random(seed).shuffle(vocabulary)
    corpus = list(banked.values())
    started = time.perf_counter()
    fake = synthetic(size - len(corpus), vocabulary, seed)
    print(f"synthesised {len(fake):,} documents in {time.perf_counter() - started:.1f} s")
    values = [containment(t) for t in corpus] + [containment(t) for t in fake]
    tlshes = [tlsh_of(t) for t in corpus] + [tlsh_of(t) for t in fake]
    del fake
    gc.collect()
    index, tlsh_index = ContainmentMatchIndex(), TLSHMatchIndex()
    started = time.perf_counter()
    index.add_many((i, v) for i, v in enumerate(values) if v)
    build = time.perf_counter() - started
    tlsh_index.add_many((i, v) for i, v in enumerate(tlshes) if v)
    del values, tlshes
    long_queries = [edit(corpus[rng.randrange(len(corpus))], rng) for edit in
                    (reflow, case_punct, shuffle_paragraphs, ocr_noise) for _ in range(25)]
    posts = [excerpt(corpus[rng.randrange(len(corpus))], 300, filler, rng) for _ in range(100)]
    posts += [cut(doc, 1000) for doc in filler[:100]]
    rates = {}
    for label, queries in (("whole documents", long_queries), ("posts: 300-word excerpts and unrelated texts",
                                                               posts)):
        words = sum(len(q.split()) for q in queries)
        started = time.perf_counter()
        for query in queries:  # the whole path: normalise, fingerprint, look up
            value = containment(query)
            if value:
                index.query(value)
        rates[label] = (len(queries) / (time.perf_counter() - started), words // len(queries))
    queries = long_queries + posts
    sample = queries[:: max(1, len(queries) // 20)]
    started = time.perf_counter()
    for query in sample:
        value = tlsh_of(query)
        if value:
            tlsh_index.query(value)
    theirs = (time.perf_counter() - started) / len(sample)
    print(f"| banked documents | {size:,} |")
    print(f"| fingerprints indexed | {index.postings:,} |")
    print(f"| index build | {build:.1f} s |")
    for label, (rate, mean) in rates.items():
        print(f"| Accord containment, {label} (mean {mean:,} words): documents/s, 1 core "
              f"(normalise, fingerprint, look up) | {rate:,.0f} |")
    print(f"| pytx text_tlsh (linear scan, diffxlen): documents/s, 1 core | {1 / theirs:,.1f} |")


def sweep(banked: dict[str, str], filler: list[str], unrelated: list[str]) -> None:
    """Recall on the two excerpt edits and OCR noise, and false matches, for other parameters."""
    base = (textsig.SHINGLE_WORDS, textsig.WINDOW, textsig.MIN_SHARED)
    print("| words per shingle | window | min shared | recall (300 / 1,000 / OCR) | unrelated matched |"
          " cross-banked hits |")
    print("|---|---|---|---|---|---|")
    for k, w, m in ((4, 4, 12), (5, 4, 12), (5, 6, 8), (5, 6, 12), (5, 6, 16), (5, 8, 12), (6, 6, 12), (8, 8, 8)):
        textsig.SHINGLE_WORDS, textsig.WINDOW, textsig.MIN_SHARED = k, w, m
        textsig.PREFIX = f"w{k}.{w}:"
        import accord.matching.text_index as ti

        ti.MIN_SHARED = m  # type: ignore[attr-defined]  # the sweep swaps the module's threshold
        rng = random.Random(7)
        index = ContainmentMatchIndex()
        names = list(banked)

        def value(text: str, k: int = k, w: int = w) -> str:
            return textsig.encode_fingerprints(textsig.fingerprints(textsig.words(text), k, w).unique())

        for i, name in enumerate(names):
            index.add(i, value(banked[name]))
        recalls, cross = [], 0
        for edit in (lambda t, r: excerpt(t, 300, filler, r), lambda t, r: excerpt(t, 1000, filler, r), ocr_noise):
            hits = [index.query(value(edit(banked[n], rng))) for n in names]
            recalls.append(sum(any(h.entry_id == i for h in hs) for i, hs in enumerate(hits)) / len(names))
            cross += sum(1 for i, hs in enumerate(hits) for h in hs if h.entry_id != i)
        false = sum(bool(index.query(value(doc))) for doc in unrelated)
        print(f"| {k} | {w} | {m} | {' / '.join(f'{r:.3f}' for r in recalls)} | {false} | {cross} |")
    textsig.SHINGLE_WORDS, textsig.WINDOW, textsig.MIN_SHARED = base
    textsig.PREFIX = f"w{base[0]}.{base[1]}:"
    import accord.matching.text_index as ti

    ti.MIN_SHARED = base[2]  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 banked documents, 20 corpus texts")
    parser.add_argument("--sweep", action="store_true", help="also compare shingle and window sizes")
    parser.add_argument("--speed-only", action="store_true", help="only the lookups/s table")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    banked = banked_corpus(20 if args.quick else 45)
    unrelated = unrelated_corpus()
    filler, unrelated = unrelated[::2], unrelated[1::2]  # excerpts are embedded in texts never looked up alone
    if args.sweep:
        sweep(banked, filler, unrelated)
    if not args.speed_only:
        recall_table(banked, filler, unrelated, args.seed)
    speed_table(banked, filler, 10_000 if args.quick else 100_000, args.seed)


if __name__ == "__main__":
    main()
