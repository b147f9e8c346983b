"""The answer LLM behind LlamaIndex's LLM interface: a local GGUF (llama.cpp) or an OpenAI-compatible server.

One instance per process (loading the GGUF takes seconds and ~1.5 GB), None when MIZAN_LLM=none so callers
fall back to extractive answers. Qwen2.5 instruct models speak ChatML; the local model is given the prompt in
that template here, while a server applies its own model's template to the chat messages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from core.settings import Settings

MAX_NEW_TOKENS = 200  # a short answer (three sentences with markers) fits in ~100
TEMPERATURE = 0.0  # greedy: the same sources and question give the same answer (and reproducible tests)
LOCAL_CONTEXT_WINDOW = 4096  # excerpts of four passages + instructions (~700 tokens) + answer, with room to spare
REMOTE_CONTEXT_WINDOW = 32768
REMOTE_TIMEOUT_S = 120.0
CHATML_STOP = ["<|im_end|>", "<|endoftext|>"]
LOCAL_THREADS = 1
"""llama.cpp threads, for the prompt and for generation. llama-cpp-python defaults to all cores for the prompt,
which on a shared 2-core machine read prompts at 15 tokens/s where one thread reads 44 (and generated 30 tokens
in 60 s instead of 7): the same contention the embedder's single torch thread avoids. A dedicated server with
free cores would gain from more."""


class LLMUnavailable(RuntimeError):
    """MIZAN_LLM names a backend that cannot be built here (model file or package missing, no server URL)."""


_llms: dict[tuple[object, ...], LLM] = {}
_lock = threading.Lock()
_local_generation = threading.Lock()


def get_llm(settings: Settings) -> LLM | None:
    """The process-wide LLM for these settings (built on first use), or None when settings.llm is "none"."""
    if settings.llm == "none":
        return None
    key = (settings.llm, str(settings.gguf_path), settings.llm_base_url, settings.llm_model, settings.llm_api_key)
    with _lock:
        if key not in _llms:
            _llms[key] = _local(settings) if settings.llm == "llamacpp" else _remote(settings)
        return _llms[key]


def exclusive(llm: LLM) -> AbstractContextManager[object]:
    """Hold while generating: one llama.cpp model cannot serve two generations at once (and LlamaCPP keeps its
    per-call options in shared state); a server takes concurrent requests, so remote calls are not serialised."""
    return _local_generation if llm.class_name() == "LlamaCPP_llm" else nullcontext()


def stream_text(llm: LLM, messages: Sequence[ChatMessage]) -> Iterator[str]:
    """The model's reply as text deltas, generated under `exclusive`."""
    with exclusive(llm):
        for chunk in llm.stream_chat(messages):
            if chunk.delta:
                yield chunk.delta


def chatml(messages: Sequence[ChatMessage]) -> str:
    turns = "".join(f"<|im_start|>{m.role.value}\n{m.content or ''}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


def _chatml_completion(prompt: str) -> str:
    return chatml([ChatMessage(role="user", content=prompt)])


def _local(settings: Settings) -> LLM:
    path = settings.gguf_path
    if not path.is_file():
        raise LLMUnavailable(f"MIZAN_LLM=llamacpp but no model at {path}: run `mizan models install --llm`")
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:  # the optional [llm] extra: llama-cpp-python compiles llama.cpp at install
        raise LLMUnavailable("MIZAN_LLM=llamacpp needs the llm extra: pip install 'mizan[llm]'") from exc
    with _plain_weight_buffers(not settings.llm_repack):
        return _llamacpp(LlamaCPP, path)


def _llamacpp(factory: type, path: Path) -> LLM:
    return factory(
        model_path=str(path),
        temperature=TEMPERATURE,
        max_new_tokens=MAX_NEW_TOKENS,
        context_window=LOCAL_CONTEXT_WINDOW,
        generate_kwargs={"stop": CHATML_STOP},
        model_kwargs={"n_threads": LOCAL_THREADS, "n_threads_batch": LOCAL_THREADS},
        verbose=False,
        messages_to_prompt=chatml,
        completion_to_prompt=_chatml_completion,
    )


@contextmanager
def _plain_weight_buffers(plain: bool) -> Iterator[None]:
    """Load the model without llama.cpp's CPU "extra buffer types" (weights repacked for wide SIMD kernels).

    On this project's reference machines (AVX-512/AMX CPUs in a sandbox) the repacked path crashes the whole
    process with a segmentation fault as soon as a prompt of more than one token is decoded; plain buffers answer
    correctly. llama-cpp-python does not expose the switch, so the default model parameters are adjusted while
    the model loads (under the module lock that builds the one process-wide model).
    """
    import llama_cpp.llama_cpp as bindings  # the module `llama_cpp.Llama` takes its default parameters from

    if not plain or "use_extra_bufts" not in dict(bindings.llama_model_params._fields_):
        yield
        return
    original = bindings.llama_model_default_params

    def without_extra_buffers() -> bindings.llama_model_params:
        params = original()
        params.use_extra_bufts = False
        return params

    bindings.llama_model_default_params = without_extra_buffers
    try:
        yield
    finally:
        bindings.llama_model_default_params = original


def _remote(settings: Settings) -> LLM:
    if not settings.llm_base_url:
        raise LLMUnavailable("MIZAN_LLM=openai needs MIZAN_LLM_BASE_URL (an OpenAI-compatible /v1 endpoint)")
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",  # local servers (vLLM, Ollama, llama.cpp) accept any key
        is_chat_model=True,
        context_window=REMOTE_CONTEXT_WINDOW,
        max_tokens=MAX_NEW_TOKENS,
        temperature=TEMPERATURE,
        timeout=REMOTE_TIMEOUT_S,
    )
