"""get_llm: none, the local GGUF's preconditions, and an OpenAI-compatible server (a real HTTP one, scripted)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from llama_index.core.base.llms.types import ChatMessage

from assistant.answers.llm import LLMUnavailable, chatml, get_llm, stream_text
from core.settings import Settings

REPLY = ["La démarche ", "a été lancée ", "en 2002 [1]."]


def test_none_means_no_llm() -> None:
    assert get_llm(Settings(llm="none")) is None


def test_missing_gguf_or_url_is_reported(tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailable, match="models install --llm"):
        get_llm(Settings(llm="llamacpp", llm_model_path=tmp_path / "absent.gguf"))
    with pytest.raises(LLMUnavailable, match="MIZAN_LLM_BASE_URL"):
        get_llm(Settings(llm="openai", llm_base_url=None))


def test_chatml_prompt() -> None:
    prompt = chatml([ChatMessage(role="system", content="Rules"), ChatMessage(role="user", content="Question")])
    assert prompt == "<|im_start|>system\nRules<|im_end|>\n<|im_start|>user\nQuestion<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def openai_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A minimal /v1/chat/completions that streams REPLY in OpenAI's chunk format and records the requests."""
    requests: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> StreamingResponse:
        body = await request.json()
        requests.append(body)

        def chunks() -> Iterator[str]:
            for i, text in enumerate(REPLY):
                delta = {"role": "assistant", "content": text} if i == 0 else {"content": text}
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1", requests
    server.should_exit = True
    thread.join(timeout=10)


def test_openai_compatible_server_streams_through_llamaindex(openai_server: tuple[str, list[dict[str, Any]]]) -> None:
    url, requests = openai_server
    settings = Settings(llm="openai", llm_base_url=url, llm_model="served-model")
    llm = get_llm(settings)
    assert llm is get_llm(settings)  # one client per process and configuration
    messages = [ChatMessage(role="system", content="Rules"), ChatMessage(role="user", content="Quand ?")]
    assert list(stream_text(llm, messages)) == REPLY
    sent = requests[-1]
    assert sent["model"] == "served-model" and sent["stream"] is True and sent["temperature"] == 0.0
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]  # the server applies its own template
