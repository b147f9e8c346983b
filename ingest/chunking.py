"""A SourceDocument -> LlamaIndex TextNodes that fit the embedding model and point back to their pages.

Chunks are cut by LlamaIndex's SentenceSplitter over the whole document (so a paragraph running onto the
next page stays whole), counting tokens with the embedding model's own tokenizer. Each chunk's text is an
exact slice of the page texts, so its (page, character) span can be cited and highlighted.
"""

from __future__ import annotations

import bisect
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from tokenizers import Tokenizer

from ingest.language import UNDETERMINED, detect_language
from ingest.metadata import headings
from ingest.readers import HEADING_PATH_SEPARATOR, TABLE_PREFIX, table_caption
from ingest.types import SourceDocument

TokenCounter = Callable[[str], Sequence[Any]]  # text -> its tokens, without special tokens
PASSAGE_PREFIX = "passage: "  # what the e5 models expect before a passage to embed
PAGE_SEPARATOR = "\n\n"  # pages join as paragraphs: the splitter prefers to cut there
NODE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/mizan/chunks")
_ANCHOR_SIZES = (40, 16, 6)  # characters matched at a chunk's ends, longest first
# A longer document is cut window by window (see `_windows`): every document of a usual size is cut as one.
WINDOW_CHARS = 1_000_000
MAX_CAPTIONED_CHUNKS = 6  # a table over more chunks (about three pages) is a list whose rows name their subject (see chunk_document)


def hf_token_counter(tokenizer: Any) -> TokenCounter:
    """A Hugging Face tokenizer as a TokenCounter (special tokens are counted by `passage_overhead`)."""
    return lambda text: tokenizer.encode(text, add_special_tokens=False)


def passage_overhead(tokenizer: Any, prefix: str = PASSAGE_PREFIX) -> int:
    """Tokens the embedder adds around every chunk: the prefix plus the special tokens (<s>, </s>)."""
    return len(tokenizer.encode(prefix, add_special_tokens=False)) + tokenizer.num_special_tokens_to_add(pair=False)


@dataclass(frozen=True)
class Chunker:
    """`chunk_document` with its settings bound: what the reader process cuts each new document with.

    The embedding model's Hugging Face tokenizer counts tokens where it was made. Pickled to the reader process,
    it travels as its bare `tokenizers.Tokenizer` (its JSON): that loads there without transformers and torch,
    and counts the same tokens. (The Rust tokenizer of the e5 model holds ~300 MB: one copy per process.)
    """

    tokenizer: Any  # a fast Hugging Face tokenizer, or the bare tokenizers.Tokenizer under one
    chunk_size: int
    chunk_overlap: int
    reserved_tokens: int = 0
    context_tokens: int = 0
    caption_tokens: int = 0

    def __call__(self, doc: SourceDocument) -> list[TextNode]:
        return chunk_document(doc, self._counter(), self.chunk_size, self.chunk_overlap, self.reserved_tokens,
                              self.context_tokens, caption_tokens=self.caption_tokens)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        bare = self.tokenizer if isinstance(self.tokenizer, Tokenizer) else self.tokenizer.backend_tokenizer
        return _bare_chunker, (bare.to_str(), self.chunk_size, self.chunk_overlap, self.reserved_tokens,
                               self.context_tokens, self.caption_tokens)

    def _counter(self) -> TokenCounter:
        tokenizer = self.tokenizer
        if isinstance(tokenizer, Tokenizer):
            return lambda text: tokenizer.encode(text, add_special_tokens=False).ids
        return hf_token_counter(tokenizer)


def _bare_chunker(tokenizer_json: str, *settings: int) -> Chunker:
    """A pickled Chunker, rebuilt around a bare tokenizer. The model's own may carry the truncation its last
    batch set (sentence-transformers cuts at 512 tokens): counting must not, so it is turned off."""
    tokenizer = Tokenizer.from_str(tokenizer_json)
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return Chunker(tokenizer, *settings)


def node_id(doc_id: str, chunk_index: int) -> str:
    """Stable across re-ingestion: the same document cut the same way gets the same ids."""
    return str(uuid.uuid5(NODE_NAMESPACE, f"{doc_id}:{chunk_index}"))


def chunk_document(doc: SourceDocument, tokenizer: TokenCounter, chunk_size: int, chunk_overlap: int,
                   reserved_tokens: int = 0, context_tokens: int = 0,
                   window_chars: int = WINDOW_CHARS, caption_tokens: int = 0) -> list[TextNode]:
    """Cut one document into nodes of at most `chunk_size` tokens counting `reserved_tokens`.

    `chunk_size` is the whole budget the embedder sees; `reserved_tokens` is what it adds to each text
    (see `passage_overhead`), so every node satisfies len(tokenizer(text)) + reserved_tokens <= chunk_size.
    With `context_tokens`, each node's embedded (and BM25-indexed) text opens with its document title and
    heading path, cut to that many tokens and taken from the budget: a passage of a finance-bill table says
    "Montant: 21 190" and only its heading says it is tax expenditure on VAT. The quote stays the text alone.

    With `caption_tokens`, a chunk of a Word table's rows opens with the table's caption when the chunk does not
    hold it ("Tableau 4: Ventilation des dépenses fiscales par secteur d'activité"): the row "Désignation:
    Agriculture, pêche; 2023 Montant: 5 450" never says what it measures, and the heading above the table may be
    another's (in the tax-expenditure report the caption is a plain paragraph, not a Word heading). The caption
    is also the section its rows' sentences are embedded under. Only documents with captioned tables give up
    those tokens of their budget, and only tables over a few chunks get it (see `spread` below).
    """
    captions = [table_caption(page.label) for page in doc.pages] if caption_tokens else []
    if not any(captions):
        caption_tokens = 0
    budget = chunk_size - reserved_tokens - context_tokens - caption_tokens
    if budget <= chunk_overlap or budget < 1:
        raise ValueError(f"chunk_size {chunk_size} leaves {budget} tokens after {reserved_tokens} reserved, "
                         f"not more than the overlap {chunk_overlap}")
    texts = [page.text for page in doc.pages]
    joined = PAGE_SEPARATOR.join(texts)
    page_starts = _page_starts(texts)
    sections = headings(joined)
    section_offsets = [offset for offset, _ in sections]
    spans = [span for start, end in _windows(joined, window_chars)
             for span in _spans(joined[start:end], tokenizer, budget, chunk_overlap, start)]
    # A caption over many chunks (an annex listing 200 measures, a Word table a page) would make them all alike: a
    # question on VAT then finds the VAT annex's chunks before the page that answers it. Such rows name their own
    # subject ("Mesure incitative: Exonération de la TVA…"); a summary table's rows do not.
    spread = Counter(c for start, end in spans
                     for c in set(captions[bisect.bisect_right(page_starts, start) - 1:
                                           bisect.bisect_right(page_starts, end - 1)]) if c) if caption_tokens else Counter()
    nodes = []
    for index, (start, end) in enumerate(spans):
        text = joined[start:end]
        first = bisect.bisect_right(page_starts, start) - 1
        last = bisect.bisect_right(page_starts, end - 1) - 1
        at = bisect.bisect_right(section_offsets, start) - 1
        language = detect_language(text)
        section = _section(doc.pages[first].label) or (sections[at][1] if at >= 0 else "")
        metadata = {
            "doc_id": doc.doc_id, "file_name": doc.file_name, "title": doc.title, "doc_type": doc.doc_type,
            "year": doc.year, "language": doc.language if language == UNDETERMINED else language,
            "page_start": doc.pages[first].number, "page_end": doc.pages[last].number,
            "section": section,
            "locator": doc.pages[first].label,
            "char_start": start - page_starts[first], "char_end": end - page_starts[last],
            # where each later page begins in the chunk: a Word file's sections are short, so one chunk spans many
            "page_breaks": [[doc.pages[p].number, page_starts[p] - start] for p in range(first + 1, last + 1)],
            "chunk_index": index,
        }
        if any(page.ocr for page in doc.pages[first:last + 1]):
            metadata["ocr"] = True  # some of its text was recognised from a scan: it may hold OCR errors
        context = _context(doc.title, doc.pages[first].label or section, tokenizer, context_tokens) if context_tokens else ""
        if caption_tokens:
            flat = " ".join(text.split())
            shown = list(dict.fromkeys(c for c in captions[first:last + 1]
                                       if c and spread[c] <= MAX_CAPTIONED_CHUNKS and " ".join(c.split()) not in flat))
            context = " › ".join(filter(None, [context, _context("", " ; ".join(shown), tokenizer, caption_tokens)]))
        if context:
            metadata["context"] = context
        embedded = ["context"] if context else []
        nodes.append(TextNode(
            id_=node_id(doc.doc_id, index), text=text, metadata=metadata,
            excluded_embed_metadata_keys=[key for key in metadata if key not in embedded],
            excluded_llm_metadata_keys=list(metadata),
            metadata_template="{value}", text_template="{metadata_str}\n\n{content}",
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc.doc_id)},
            start_char_idx=start, end_char_idx=end,
        ))
    return nodes


def _context(title: str, heading: str, tokenizer: TokenCounter, limit: int) -> str:
    """"Title › heading path", its words cut from the end until it fits `limit` tokens (with the blank line)."""
    words = " › ".join(part for part in (title, heading) if part).split()
    while words and len(tokenizer(" ".join(words) + "\n\n")) > limit:
        words = words[:-max(1, len(words) // 8)]
    return " ".join(words)


def _section(label: str) -> str:
    """The innermost heading of a heading path ("Titre II › Recettes › Tableau 3" -> "Recettes"), or a table's
    own caption ("… › Tableau 4: Ventilation des dépenses fiscales par secteur d'activité")."""
    caption = table_caption(label)
    if caption:
        return caption
    parts = [part for part in label.split(HEADING_PATH_SEPARATOR) if not part.startswith(TABLE_PREFIX)]
    return parts[-1] if parts else ""


def _page_starts(texts: list[str]) -> list[int]:
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(PAGE_SEPARATOR)
    return starts


def _windows(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive parts of `text` of at most `size` characters, cut at a paragraph break
    (else a line break) in their second half; one part when the text is not longer than `size`.

    The splitter tokenizes the whole text it is given before cutting it, so a 50 MB text file held millions
    of tokens at once (gigabytes); window by window, memory stays that of one window. A chunk never spans two
    windows, and the overlap is lost only where a window ends, at a paragraph break the splitter favours anyway.
    """
    windows: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        for separator in (PAGE_SEPARATOR, "\n"):
            cut = text.rfind(separator, start + size // 2, end)
            if cut > start:
                end = cut
                break
        windows.append((start, end))
        start = end
    windows.append((start, len(text)))
    return windows


def _spans(text: str, tokenizer: TokenCounter, budget: int, overlap: int, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) in `text` shifted by `offset` of each chunk, every one within `budget` tokens.

    The splitter sums the token counts of its pieces, which can differ by a token or two from the count
    of the joined chunk; a chunk found over budget is cut again, smaller, with no overlap.
    """
    if not text.strip():
        return []
    splitter = SentenceSplitter(chunk_size=budget, chunk_overlap=overlap, tokenizer=tokenizer,
                                paragraph_separator=PAGE_SEPARATOR)
    spans: list[tuple[int, int]] = []
    previous = (-1, 0)
    for piece in splitter.split_text(text):
        start, end = _locate(text, piece, previous)
        previous = (start, end)
        count = len(tokenizer(text[start:end]))
        if count <= budget:
            spans.append((offset + start, offset + end))
            continue
        smaller = min(budget - 1, budget * budget // count)
        if smaller < 1:
            raise ValueError(f"cannot fit text into {budget} tokens: {text[start:end][:80]!r}")
        spans.extend(_spans(text[start:end], tokenizer, smaller, 0, offset + start))
    return spans


def _locate(text: str, piece: str, previous: tuple[int, int]) -> tuple[int, int]:
    """Where a splitter chunk lies in the text, given the previous chunk's span.

    A chunk starts after the previous one starts and ends after it ends (it adds new text), which picks
    the right occurrence when a passage repeats. The splitter's regex fallback can drop characters (the
    second '.' of '...'), so a chunk not found verbatim is anchored by its first and last characters.
    """
    start = text.find(piece, previous[0] + 1)
    while start >= 0 and start + len(piece) <= previous[1]:
        start = text.find(piece, start + 1)
    if start >= 0:
        return start, start + len(piece)
    start = _anchor(text, piece, previous[0] + 1, from_end=False)
    if start < 0:
        rest = text[previous[1]:]
        start = previous[1] + len(rest) - len(rest.lstrip())
    end = _anchor(text, piece, max(start, previous[1] + 1), from_end=True)
    return start, end if end > start else min(len(text), start + len(piece))


def _anchor(text: str, piece: str, bound: int, from_end: bool) -> int:
    """Start of the piece at or after `bound`, or its end at or after `bound`, matched on its first or
    last characters; -1 when even the shortest anchor is not found."""
    for size in _ANCHOR_SIZES:
        part = piece[-size:] if from_end else piece[:size]
        found = text.find(part, max(0, bound - len(part)) if from_end else bound)
        if found >= 0:
            return found + len(part) if from_end else found
    return -1
