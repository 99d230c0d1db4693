"""Rebuild the word corpus that bprop ships: Jane Austen's six novels in PTB's format.

    python tools/build_corpus.py --source /tmp/corpus_src            # write the files
    python tools/build_corpus.py --source /tmp/corpus_src --check    # compare, write nothing

The source is one Debian package, r-cran-janeaustenr 1.0.0-1 (the novels as
R data, from Project Gutenberg's texts without Gutenberg's header, footer or
licence). Get it into the source folder with
``apt-get download r-cran-janeaustenr=1.0.0-1``; its SHA-256 is checked first.
The script needs nothing but the standard library: it reads the .deb (an ar
archive holding data.tar.xz) and R's lazy-load database itself.

Output, in src/bprop/datasets/data/corpus/: austen.{train,valid,test}.txt.gz,
one sentence a line written as PTB writes it (" w1 w2 ... wn \\n"), and
SHA256SUMS over them and analogy.txt. The steps are in README.md there and in
the docstrings below. The same source gives byte-identical files (gzip with
mtime 0 and no file name; the same zlib compresses the same bytes the same way).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import io
import os
import re
import struct
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path

SOURCE_DEB = "r-cran-janeaustenr_1.0.0-1_all.deb"
SOURCE_SHA256 = "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95"
RDATA = "./usr/lib/R/site-library/janeaustenr/data/Rdata"
OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "bprop" / "datasets" / "data" / "corpus"

# Publication order, as janeaustenr's austen_books() orders them, with the
# number of chapters each must yield (a check that the headings were found).
NOVELS = (
    ("sensesensibility", "Sense and Sensibility", 50),
    ("prideprejudice", "Pride and Prejudice", 61),
    ("mansfieldpark", "Mansfield Park", 48),
    ("emma", "Emma", 55),
    ("northangerabbey", "Northanger Abbey", 31),
    ("persuasion", "Persuasion", 24),
)
SPLITS = ("train", "valid", "test")
FILES = {split: f"austen.{split}.txt.gz" for split in SPLITS}
EXTRA_FILES = ("analogy.txt",)  # hand-written, shipped beside the corpus, listed in SHA256SUMS
VOCAB_SIZE = 10_000  # as PTB: the 9,999 most frequent train tokens, <eos> counted, + <unk>


# --- reading the source package ---------------------------------------------------------

def read_deb_member(deb: bytes, member: str) -> bytes:
    """One file of a .deb: find data.tar.* in the ar archive, then member in that tar."""
    if not deb.startswith(b"!<arch>\n"):
        raise ValueError("not a Debian package (no ar header)")
    pos = 8
    while pos + 60 <= len(deb):
        name = deb[pos:pos + 16].decode("ascii").strip().rstrip("/")
        size = int(deb[pos + 48:pos + 58].decode("ascii"))
        body = deb[pos + 60:pos + 60 + size]
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                return tar.extractfile(member).read()
        pos += 60 + size + (size & 1)  # ar pads members to an even length
    raise ValueError("no data.tar member in the package")


class _RUnserializer:
    """Just enough of R's XDR serialization (format 2 or 3) for vectors, lists and pairlists.

    Vectors come back as (type, values, attributes); a pairlist as a list of (tag, value);
    a symbol as its name. Anything else (environments, closures, ALTREP) raises ValueError.
    """

    def __init__(self, data: bytes) -> None:
        if data[:2] != b"X\n":
            raise ValueError("not R's XDR serialization format")
        self.data, self.pos, self.symbols = data, 2, []
        version = self._int()
        self.pos += 8  # writer's and minimal reader's R versions
        if version == 3:
            length = self._int()
            self.pos += length  # skip the native encoding's name

    def _int(self) -> int:
        (value,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return value

    def item(self):
        flags = self._int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind == 254:  # NILVALUE_SXP
            return None
        if kind == 255:  # REFSXP: a symbol seen before
            index = flags >> 8 or self._int()
            return self.symbols[index - 1]
        if kind == 1:  # SYMSXP
            name = self.item()
            self.symbols.append(name)
            return name
        if kind == 2:  # LISTSXP, a pairlist: attributes, tag, car, then cdr
            pairs = []
            while kind == 2:
                if has_attr:
                    self.item()
                tag = self.item() if has_tag else None
                pairs.append((tag, self.item()))
                flags = self._int()
                kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
            if kind != 254:
                raise ValueError(f"pairlist ends in type {kind}")
            return pairs
        if kind == 9:  # CHARSXP
            length = self._int()
            if length == -1:
                return None  # NA_character_
            raw = self.data[self.pos:self.pos + length]
            self.pos += length
            return raw.decode("latin-1" if (flags >> 12) & 4 else "utf-8")
        if kind in (10, 13, 14, 16, 19, 20):  # logical, integer, double, string, list, expression
            length = self._int()
            if length == -1:
                length = (self._int() << 32) + self._int()
            if kind in (10, 13, 14):
                code, width = ("d", 8) if kind == 14 else ("i", 4)
                values = list(struct.unpack_from(f">{length}{code}", self.data, self.pos))
                self.pos += width * length
            else:
                values = [self.item() for _ in range(length)]
            attributes = dict(self.item()) if has_attr else {}
            return kind, values, attributes
        raise ValueError(f"R object of type {kind} is not supported here")


def unserialize(data: bytes):
    """The R object in data (R's serialize() output, XDR format)."""
    return _RUnserializer(data).item()


def read_lazyload(rdx: bytes, rdb: bytes) -> dict[str, list[str]]:
    """The character vectors of an R lazy-load database (Rdata.rdx index + Rdata.rdb)."""
    _, (variables, _, _), attrs = unserialize(zlib.decompress(rdx, wbits=47))  # gzip or zlib
    if attrs["names"][1][:1] != ["variables"]:
        raise ValueError("unexpected lazy-load index")
    _, positions, attributes = variables
    result = {}
    for name, (_, (offset, length), _) in zip(attributes["names"][1], positions):
        chunk = rdb[offset:offset + length]
        (size,) = struct.unpack(">I", chunk[:4])
        raw = zlib.decompress(chunk[4:])  # compression type 1 (zlib), as this package uses
        if len(raw) != size:
            raise ValueError(f"{name}: expected {size} bytes, inflated {len(raw)}")
        kind, values, _ = unserialize(raw)
        if kind == 16:
            result[name] = values
    return result


def read_novels(source: Path) -> dict[str, list[str]]:
    """{object name: lines of text} for the six novels, from the checked source package."""
    deb_path = source / SOURCE_DEB
    if not deb_path.is_file():
        raise SystemExit(f"{deb_path} is missing: run `apt-get download r-cran-janeaustenr=1.0.0-1` in {source}")
    deb = deb_path.read_bytes()
    digest = hashlib.sha256(deb).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{deb_path}: SHA-256 mismatch: expected {SOURCE_SHA256}, got {digest}")
    texts = read_lazyload(read_deb_member(deb, RDATA + ".rdx"), read_deb_member(deb, RDATA + ".rdb"))
    return {name: ["" if line is None else line for line in texts[name]] for name, _, _ in NOVELS}


# --- cleaning ---------------------------------------------------------------------------

_CHAPTER = re.compile(r"(?:CHAPTER|Chapter) (?:[IVXL]+|\d+)\.?")
_DROP = re.compile(r"VOLUME [IVX]+|THE END|FINIS|Finis")
_ENDS_TEXT = "A NOTE ON THE TEXT"  # an editor's note after Northanger Abbey: not Austen's
_ABBREVIATIONS = re.compile(r"\b(Mr|Mrs|Dr|St|Esq|Rev|Vol)\.")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[\"'(\[]*[A-Z])")
_CLITIC = re.compile(r"(?<=[a-z])('s|'re|'ve|'ll|'d|'m)\b")
_CLITICS = {"'s", "'re", "'ve", "'ll", "'d", "'m", "n't"}
_RAW_TOKEN = re.compile(r"[a-z0-9'-]+")


def chapters(lines: list[str]) -> list[list[str]]:
    """The chapters of one novel, each a list of paragraphs (text joined to one line).

    Paragraphs are runs of non-blank lines. Everything before the first chapter
    heading (title, author, year, preface) is dropped, and so are the headings
    themselves, VOLUME/THE END/FINIS lines, paragraphs in [square brackets] (notes
    of the etext's editors), paragraphs starting with '*' (a footnote, "* * *"
    breaks) and, in Northanger Abbey, the editor's note from "A NOTE ON THE TEXT" on.
    """
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    result = []
    for paragraph in paragraphs:
        if paragraph == _ENDS_TEXT:
            break
        if _CHAPTER.fullmatch(paragraph):
            result.append([])
        elif result and not (_DROP.fullmatch(paragraph) or paragraph.startswith(("[", "*"))):
            result[-1].append(paragraph)
    return result


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut into sentences.

    A sentence ends at '.', '!' or '?' (with any closing quotes or brackets) when
    space and then a capital letter (perhaps after an opening quote) follow, or at
    the paragraph's end. Mr. Mrs. Dr. St. Esq. Rev. Vol. lose their period first,
    so that they end nothing; '"Oh!" cried she' stays one sentence.
    """
    paragraph = _ABBREVIATIONS.sub(r"\1", paragraph)
    result, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        result.append(paragraph[start:match.end()])
        start = match.end()
    result.append(paragraph[start:])
    return [s for s in (s.strip() for s in result) if s]


def tokens(sentence: str) -> list[str]:
    """One sentence as PTB-style tokens.

    Lower case; '&c.' becomes 'etc'; '_' (italics), '*' and '--' (a dash) become
    spaces; the clitics 's 're 've 'll 'd 'm and n't are split off as PTB does
    ("don't" -> "do n't", "emma's" -> "emma 's"); then every character other than
    a-z, 0-9, apostrophe and hyphen separates tokens; apostrophes and hyphens at a
    token's ends are stripped (quotes, a plural possessive "sisters'"), those
    inside are kept ("o'clock", "ma'am", "to-morrow", as PTB keeps "hydro-quebec");
    a token with a digit becomes N.
    """
    text = sentence.lower().replace("&c.", "etc").replace("&c", "etc").replace("&", " and ")
    text = re.sub(r"--+|[_*]", " ", text)
    text = re.sub(r"(?<=[a-z])n't\b", " n't", text)
    text = _CLITIC.sub(r" \1", text)
    result = []
    for raw in _RAW_TOKEN.findall(text):
        word = raw.rstrip("'-")
        if word not in _CLITICS:
            word = word.lstrip("'-")
        if not word:
            continue
        result.append("N" if any(c.isdigit() for c in word) else word)
    return result


def novel_sentences(lines: list[str]) -> list[list[list[str]]]:
    """[chapter][sentence] -> tokens, empty sentences dropped."""
    return [
        [t for paragraph in chapter for s in sentences(paragraph) if (t := tokens(s))]
        for chapter in chapters(lines)
    ]


def split_chapters(book: list[list[list[str]]]) -> dict[str, list[list[str]]]:
    """Contiguous chapters: a chapter whose middle token lies in the first 10/12 of
    the novel's tokens goes to train, in the next 1/12 to valid, in the last to test."""
    sizes = [sum(len(s) for s in chapter) for chapter in book]
    total = sum(sizes)
    parts, seen = {split: [] for split in SPLITS}, 0
    for chapter, size in zip(book, sizes):
        middle = 2 * seen + size  # twice the middle token's position, to stay in integers
        split = "train" if 12 * middle < 20 * total else "valid" if 12 * middle < 22 * total else "test"
        parts[split].extend(chapter)
        seen += size
    return parts


def vocabulary(train: list[list[str]]) -> set[str]:
    """The 9,999 most frequent train tokens (<eos>, one a sentence, counted) + <unk>.

    Ties are broken alphabetically, so the choice is deterministic.
    """
    counts = collections.Counter(word for s in train for word in s)
    counts["<eos>"] = len(train)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) < VOCAB_SIZE - 1:
        raise ValueError(f"only {len(ranked)} distinct train tokens, need {VOCAB_SIZE - 1}")
    return {word for word, _ in ranked[:VOCAB_SIZE - 1]} | {"<unk>"}


def _gzip(data: bytes) -> bytes:
    """gzip at level 9 with mtime 0 and the header's OS byte fixed to 3 (Unix): Python 3.10 writes 255 there,
    later versions 3, and the rebuild must not depend on the Python that runs it."""
    out = bytearray(gzip.compress(data, compresslevel=9, mtime=0))
    out[9] = 3
    return bytes(out)


def build(source: Path) -> tuple[dict[str, bytes], dict[str, object]]:
    """{file name: gzip bytes} for the three splits, and numbers for the README."""
    texts = read_novels(source)
    parts = {split: [] for split in SPLITS}
    for name, title, expected in NOVELS:
        book = novel_sentences(texts[name])
        if len(book) != expected:
            raise ValueError(f"{title}: expected {expected} chapters, found {len(book)}")
        for split, sents in split_chapters(book).items():
            parts[split].extend(sents)
    vocab = vocabulary(parts["train"])
    files, stats = {}, {"vocabulary": len(vocab)}
    for split in SPLITS:
        sents = [[w if w in vocab else "<unk>" for w in s] for s in parts[split]]
        text = "".join(" " + " ".join(s) + " \n" for s in sents)
        files[FILES[split]] = _gzip(text.encode("ascii"))
        words = sum(len(s) for s in sents)
        unk = sum(w == "<unk>" for s in sents for w in s)
        stats[split] = {"sentences": len(sents), "words": words, "tokens": words + len(sents),
                        "unk": unk, "gzip_bytes": len(files[FILES[split]]),
                        "text_sha256": hashlib.sha256(text.encode("ascii")).hexdigest()}
    return files, stats


def manifest(files: dict[str, bytes], out: Path) -> bytes:
    """SHA256SUMS (sha256sum's text format) over the corpus files and the extra files in out."""
    contents = dict(files)
    for name in EXTRA_FILES:
        if (out / name).is_file():
            contents[name] = (out / name).read_bytes()
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in sorted(contents.items())).encode("ascii")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/tmp/corpus_src"),
                        help=f"folder holding {SOURCE_DEB} (default /tmp/corpus_src)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write (default: the package's folder)")
    parser.add_argument("--check", action="store_true",
                        help="rebuild in memory and compare with --out byte for byte; write nothing")
    args = parser.parse_args(argv)
    files, stats = build(args.source)
    files["SHA256SUMS"] = manifest(files, args.out)
    for split in SPLITS:
        print(split, " ".join(f"{key}={value}" for key, value in stats[split].items()))
    print(f"vocabulary={stats['vocabulary']}")
    if args.check:
        differ = [name for name, data in files.items()
                  if not (args.out / name).is_file() or (args.out / name).read_bytes() != data]
        print("differ: " + ", ".join(differ) if differ else "identical to " + str(args.out))
        return 1 if differ else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        with tempfile.NamedTemporaryFile(dir=args.out, delete=False) as tmp:
            tmp.write(data)
        os.chmod(tmp.name, 0o644)
        Path(tmp.name).replace(args.out / name)
    print(f"wrote {', '.join(sorted(files))} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
