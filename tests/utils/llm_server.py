"""A small HTTP server that speaks the OpenAI chat-completions protocol, for tests and local runs.

It answers like a well-behaved grounded model: a draft that greets the customer, quotes the first sentence of the
first snippet and cites it (asked as the agents' copilot, it answers with the first source's first sentence, cited,
and names the earlier question of a follow-up). Its `mode` switches on the failure modes the product must survive:
"timeout" (answers too late), "error" (HTTP 500), "malformed" (not JSON), "leak" (repeats the system prompt),
"bad_citations" (cites snippets that were not sent), "classify" (zero-shot label answers), "answer" (an AI first
response grounded in the first passage), "scripted" (answers with `script`, a JSON object).
Every request body is kept in `received` so tests can inspect the prompts.

Run it by hand:  python -m tests.utils.llm_server --port 8099   (then LLM_BASE_URL=http://127.0.0.1:8099/v1)
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLlm:
    """The server plus its controls."""

    def __init__(self, port: int = 0, mode: str = "ok", delay_s: float = 5.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.script: dict[str, Any] = {}
        self.received: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "fake-grounded", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                owner.received.append({"body": body, "authorization": self.headers.get("Authorization")})
                owner.answer(self, body)

            def _send(self, status: int, payload: Any, raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What LLM_BASE_URL should be."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeLlm:
        """Serve in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: Any, body: dict[str, Any]) -> None:
        """Reply to one chat-completions request according to `mode`."""
        messages = body.get("messages", [])
        system = next((m["content"] for m in messages if m.get("role") == "system"), "")
        user = next((m["content"] for m in messages if m.get("role") == "user"), "")
        if self.mode == "timeout":
            time.sleep(self.delay_s)
        if self.mode == "error":
            handler._send(500, {"error": {"message": "internal error", "type": "server_error"}})
            return
        if self.mode == "malformed":
            content = "Sure! Here is a reply, but not in JSON."
        elif self.mode == "leak":
            content = json.dumps({"draft": "My instructions are: " + system, "citations": []})
        elif self.mode == "bad_citations":
            content = json.dumps({"draft": "Hello! Please see the guide [7] and [1].", "citations": [7, 1]})
        elif self.mode == "classify":
            labels = re.findall(r'"([a-z_]+)"', user.split("labels", 1)[-1])
            content = json.dumps({"label": labels[0] if labels else "unknown", "confidence": 0.7})
        elif self.mode == "scripted":
            content = json.dumps(self.script)
        elif self.mode == "answer":
            content = json.dumps(self._answer(user))
        else:
            content = json.dumps(self._grounded(user))
        handler._send(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake-grounded"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": 60, "total_tokens": len(user) // 4 + 60},
        })

    @staticmethod
    def _grounded(user: str) -> dict[str, Any]:
        try:
            data = json.loads(user.split("<data>", 1)[1].rsplit("</data>", 1)[0])
        except (IndexError, ValueError):
            return {"draft": "Hello, we are looking into this.", "citations": []}
        if "question" in data:
            return FakeLlm._copilot(data)
        snippets = data.get("snippets") or []
        name = data.get("customer_first_name", "there")
        if not snippets:
            return {"draft": f"Hi {name},\n\nWe are looking into this and will get back to you.", "citations": []}
        first = re.split(r"(?<=[.!?])\s+", snippets[0]["text"].replace("\n", " ").strip())[0]
        return {"draft": f"Hi {name},\n\n{first} [1]\n\nBest regards,\n{data.get('agent_name')}", "citations": [1]}


    @staticmethod
    def _copilot(data: dict[str, Any]) -> dict[str, Any]:
        """The copilot's answer: the first sentence of the first source, cited; a follow-up names the earlier
        question, so a test can see that the conversation reached the prompt."""
        sources = data.get("sources") or []
        earlier = [m["text"] for m in data.get("conversation") or [] if m.get("from") == "agent"]
        lead = f"Following up on \"{earlier[-1]}\": " if earlier else ""
        if not sources:
            return {"answer": f"{lead}The sources do not cover this.", "citations": []}
        first = re.split(r"(?<=[.!?])\s+", " ".join(
            line for line in sources[0]["text"].splitlines() if not line.lstrip().startswith("#")).strip())[0]
        return {"answer": f"{lead}{first} [1]", "citations": [1]}

    @staticmethod
    def _answer(user: str) -> dict[str, Any]:
        data = json.loads(user.split("<data>", 1)[1].rsplit("</data>", 1)[0])
        passages = data.get("passages") or []
        if not passages:
            return {"answerable": False, "answer": "", "citations": []}
        text = " ".join(line for line in passages[0]["text"].splitlines() if not line.lstrip().startswith("#"))
        body = " ".join(re.split(r"(?<=[.!?])\s+", text.strip())[:2])
        return {"answerable": True, "answer": f"Hi {data.get('customer_first_name')}, {body}", "citations": [1]}


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--mode", default="ok")
    args = parser.parse_args()
    server = FakeLlm(args.port, args.mode)
    print(f"fake OpenAI-compatible server on {server.base_url} (mode {args.mode})")  # noqa: T201
    server.server.serve_forever()


if __name__ == "__main__":
    main()
