"""The baseline: what a user gets from LlamaIndex's defaults with the same embedding model.

SimpleDirectoryReader with the readers `llama-index-readers-file` would register for PDF and DOCX (that package
pins pypdf<7 against our pypdf 7.1, so its two readers are reproduced here as they are written: pypdf
`extract_text()` one Document per page with its `page_label`, docx2txt's text walk for Word), everything else read
as text by SimpleDirectoryReader itself; SimpleDirectoryReader's metadata and exclusions; the default
SentenceSplitter (1024 tokens of the default tokenizer, overlap 200); a dense-only VectorStoreIndex in memory;
the model without the E5 `query: `/`passage: ` prefixes; no cleaning. The index is kept under the data dir, keyed
by the corpus content, the folder and the model, since it takes minutes to rebuild on a small CPU.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex, load_index_from_storage
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.readers.base import BaseReader
from llama_index.core.schema import Document
from pydantic import PrivateAttr
from sentence_transformers import SentenceTransformer

from evaluation.context import EvalContext, Passage
from ingest.loader import corpus_files

CACHE_VERSION = "1"  # bump when this baseline's recipe changes, so stale caches are not reused
INSERT_BATCH = 64  # nodes embedded per progress step
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class PageLabelPDFReader(BaseReader):
    """llama-index-readers-file's PDFReader: one Document per page, raw pypdf text, page label in the metadata."""

    def load_data(self, file: Path, extra_info: dict | None = None, **_: Any) -> list[Document]:
        import pypdf

        with open(file, "rb") as stream:
            pdf = pypdf.PdfReader(stream)
            documents = []
            for number, page in enumerate(pdf.pages):
                metadata = {"page_label": pdf.page_labels[number], "file_name": file.name, **(extra_info or {})}
                documents.append(Document(text=page.extract_text(), metadata=metadata))
        return documents


class Docx2txtReader(BaseReader):
    """llama-index-readers-file's DocxReader, i.e. docx2txt.process: headers, body, footers as one Document."""

    def load_data(self, file: Path, extra_info: dict | None = None, **_: Any) -> list[Document]:
        with zipfile.ZipFile(io.BytesIO(Path(file).read_bytes())) as package:
            names = package.namelist()
            parts = [n for n in names if re.match(r"word/header[0-9]*.xml", n)] + ["word/document.xml"]
            parts += [n for n in names if re.match(r"word/footer[0-9]*.xml", n)]
            text = "".join(_xml2text(package.read(name)) for name in parts).strip()
        return [Document(text=text, metadata={"file_name": file.name, **(extra_info or {})})]


def _xml2text(xml: bytes) -> str:
    text = []
    for element in ElementTree.fromstring(xml).iter():
        if element.tag == f"{_W}t":
            text.append(element.text or "")
        elif element.tag == f"{_W}tab":
            text.append("\t")
        elif element.tag in (f"{_W}br", f"{_W}cr"):
            text.append("\n")
        elif element.tag == f"{_W}p":
            text.append("\n\n")
    return "".join(text)


class PlainSentenceEmbedding(BaseEmbedding):
    """The sentence-transformers model as LlamaIndex's HuggingFaceEmbedding uses it: normalised, no prefixes."""

    _model: SentenceTransformer = PrivateAttr()

    def __init__(self, model_path: str) -> None:
        super().__init__(model_name=model_path, embed_batch_size=32)
        self._model = SentenceTransformer(model_path, device="cpu", local_files_only=Path(model_path).is_dir())

    @classmethod
    def class_name(cls) -> str:
        return "PlainSentenceEmbedding"

    def _encode(self, texts: list[str]) -> list[Embedding]:
        vectors = self._model.encode(texts, prompt="", normalize_embeddings=True, show_progress_bar=False)
        return vectors.tolist()

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._encode([query])[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._encode([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._encode(texts)


class NaiveRetriever:
    def __init__(self, index: VectorStoreIndex, corpus: Path) -> None:
        self.index = index
        self.corpus = corpus  # as given: the cached file paths start with it (it is part of the cache key)

    @classmethod
    def build(cls, context: EvalContext) -> NaiveRetriever:
        """Load the cached index for this corpus and model, or build and cache it."""
        model_path = context.runtime.settings.embed_model_path
        embed_model = PlainSentenceEmbedding(model_path)
        folder = context.cache_dir / "naive" / cache_key(context.corpus, model_path)
        if (folder / "docstore.json").exists():
            index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(folder)), embed_model=embed_model)
        else:
            index = _build(context, embed_model, folder)
        return cls(index, context.corpus)  # type: ignore[arg-type]

    def retrieve(self, question: str, k: int) -> list[Passage]:
        nodes = self.index.as_retriever(similarity_top_k=k).retrieve(question)
        return [Passage(self._file_name(n.node.metadata), _page(n.node.metadata), n.node.get_content()) for n in nodes]

    def _file_name(self, metadata: dict[str, Any]) -> str:
        return Path(metadata["file_path"]).relative_to(self.corpus).as_posix()


def _build(context: EvalContext, embed_model: BaseEmbedding, folder: Path) -> VectorStoreIndex:
    reader = SimpleDirectoryReader(
        input_files=corpus_files(context.corpus),  # the files `mizan ingest` reads: same corpus, manifest excluded
        file_extractor={".pdf": PageLabelPDFReader(), ".docx": Docx2txtReader()},
    )
    nodes = SentenceSplitter()(reader.load_data())
    index = VectorStoreIndex(nodes=[], embed_model=embed_model)
    for start in range(0, len(nodes), INSERT_BATCH):
        index.insert_nodes(nodes[start:start + INSERT_BATCH])
        context.progress("naive index: embedding chunks", min(start + INSERT_BATCH, len(nodes)), len(nodes))
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    index.storage_context.persist(persist_dir=str(partial))
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)  # a run killed mid-way leaves no cache that looks complete
    return index


def cache_key(corpus: Path, model_path: str) -> str:
    """Content of every corpus file, the folder as given (it starts each chunk's embedded file path), the model."""
    digest = hashlib.sha256(f"{CACHE_VERSION}\0{corpus}\0{model_path}".encode())
    for path in corpus_files(corpus):
        digest.update(path.relative_to(corpus).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _page(metadata: dict[str, Any]) -> int:
    label = str(metadata.get("page_label", "1"))
    return int(label) if label.isdigit() else 1
